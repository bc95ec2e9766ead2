import * as z from 'zod';
import { customerIdSchema } from '../../model/customer.ts';
import { openTicketStatuses, ticketSchema, ticketStatuses } from '../../model/ticket.ts';
import { zendeskTickets } from '../../systems/ticketing/tickets.ts';
import { connectorOf, defineReadTool } from '../define.ts';

export const getCustomerTickets = defineReadTool({
  name: 'get_customer_tickets',
  title: "Get a customer's support tickets",
  description:
    "Lists a customer's support tickets from the ticketing system, most recently updated first. By default only tickets that still need work (new, open, pending, hold); pass statuses to see solved or closed ones. Use it to learn about open problems before talking to a customer.",
  risk: 'read',
  systems: ['ticketing'],
  input: z.strictObject({
    customerId: customerIdSchema,
    statuses: z
      .array(z.enum(ticketStatuses))
      .min(1)
      .default([...openTicketStatuses])
      .describe('Ticket statuses to include. Default: new, open, pending, hold.'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .describe('Maximum number of tickets to return (1-100). Default 20.'),
  }),
  output: z.object({
    tickets: z.array(ticketSchema).describe('Tickets, most recently updated first.'),
  }),
  async run(ctx, input) {
    const tickets = await zendeskTickets(connectorOf(ctx, 'ticketing')).forCustomer(
      input.customerId,
      {
        statuses: input.statuses,
        limit: input.limit,
      },
    );
    return { tickets };
  },
});
