import * as z from 'zod';
import { customerIdSchema, customerSchema } from '../../model/customer.ts';
import { crmCustomers } from '../../systems/crm/objects.ts';
import { connectorOf, defineReadTool } from '../define.ts';

export const getCustomer = defineReadTool({
  name: 'get_customer',
  title: 'Get customer',
  description:
    "Gets one customer's CRM profile: company details (industry, size, location, lifecycle stage) and the contacts there with email, phone and job title. Use it when you have a customer id and need to know who the customer is or whom to contact. For orders use get_customer_orders, for support history get_customer_tickets.",
  risk: 'read',
  systems: ['crm'],
  input: z.strictObject({ customerId: customerIdSchema }),
  output: z.object({ customer: customerSchema }),
  async run(ctx, input) {
    return { customer: await crmCustomers(connectorOf(ctx, 'crm')).get(input.customerId) };
  },
});
