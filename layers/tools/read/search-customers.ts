import * as z from 'zod';
import { customerSummarySchema } from '../../model/customer.ts';
import { crmCustomers } from '../../systems/crm/objects.ts';
import { connectorOf, defineReadTool } from '../define.ts';

export const searchCustomers = defineReadTool({
  name: 'search_customers',
  title: 'Search customers',
  description:
    'Finds customers (companies) in the CRM by part of their name, web domain or customer number. Use it first when the user names a company but you do not have its customer id (C-00042 style); the other customer tools need that id. Returns up to `limit` matches, best first.',
  risk: 'read',
  systems: ['crm'],
  input: z.strictObject({
    query: z
      .string()
      .trim()
      .min(2, 'Give at least 2 characters to search for')
      .max(100)
      .describe('Text to look for in company name, domain or customer number, e.g. "northwind".'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(10)
      .describe('Maximum number of customers to return (1-50). Default 10.'),
  }),
  output: z.object({
    customers: z.array(customerSummarySchema).describe('Matching customers, best first.'),
  }),
  async run(ctx, input) {
    const customers = await crmCustomers(connectorOf(ctx, 'crm')).search(input.query, input.limit);
    return { customers };
  },
});
