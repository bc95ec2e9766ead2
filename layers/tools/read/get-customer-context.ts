import * as z from 'zod';
import { AppError, NotFoundError, UpstreamUnavailableError } from '../../errors/index.ts';
import { customerIdSchema, customerSchema } from '../../model/customer.ts';
import { orderSchema } from '../../model/order.ts';
import { openTicketStatuses, ticketSchema } from '../../model/ticket.ts';
import { crmCustomers } from '../../systems/crm/objects.ts';
import { erpOrders } from '../../systems/erp/orders.ts';
import { zendeskTickets } from '../../systems/ticketing/tickets.ts';
import { connectorOf, defineTool } from '../define.ts';

const SOURCES = {
  crm: 'the account details',
  erp: 'recent orders',
  ticketing: 'open support tickets',
} as const;

/** A plain sentence the agent can relay when some sources were unavailable. */
function noteFor(missing: (keyof typeof SOURCES)[]): string | null {
  if (missing.length === 0) return null;
  const present = (Object.keys(SOURCES) as (keyof typeof SOURCES)[]).filter(
    (source) => !missing.includes(source),
  );
  const list = (items: string[]) =>
    items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
  // Every source name is plural ("recent orders"), so the verb is always "are".
  const sentence = `${list(present.map((source) => SOURCES[source]))} are here, but ${list(missing.map((source) => SOURCES[source]))} are unavailable right now; try again in a minute for the rest.`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

export const getCustomerContext = defineTool({
  name: 'get_customer_context',
  title: 'Get the full picture of a customer',
  description:
    'Gets what you need at the start of a conversation about a customer, in one call: the CRM profile and contacts, the most recent ERP orders and the open support tickets, read in parallel. Use it instead of three separate calls. If a system is down you still get the rest, with meta.degraded and a note to pass on to the user.',
  risk: 'read',
  systems: ['crm', 'erp', 'ticketing'],
  input: z.strictObject({
    customerId: customerIdSchema,
    ordersLimit: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(5)
      .describe('How many recent orders to include (1-20). Default 5.'),
  }),
  output: z.object({
    customer: customerSchema
      .nullable()
      .describe('CRM profile and contacts; null if the CRM was unavailable.'),
    recentOrders: z
      .array(orderSchema)
      .nullable()
      .describe('Most recent orders, newest first; null if the ERP was unavailable.'),
    openTickets: z
      .array(ticketSchema)
      .nullable()
      .describe('Tickets that still need work; null if ticketing was unavailable.'),
    note: z
      .string()
      .nullable()
      .describe('What is missing and why, in words to relay to the user; null when complete.'),
  }),
  async run(ctx, input) {
    const [customer, orders, tickets] = await Promise.allSettled([
      crmCustomers(connectorOf(ctx, 'crm')).get(input.customerId),
      erpOrders(connectorOf(ctx, 'erp')).forCustomer(input.customerId, {
        limit: input.ordersLimit,
      }),
      zendeskTickets(connectorOf(ctx, 'ticketing')).forCustomer(input.customerId, {
        statuses: openTicketStatuses,
        limit: 20,
      }),
    ]);
    const settled = { crm: customer, erp: orders, ticketing: tickets } as const;
    // A customer that does not exist is an answer, not an outage.
    for (const result of Object.values(settled)) {
      if (
        result.status === 'rejected' &&
        result.reason instanceof NotFoundError &&
        result.reason.code === 'customer_not_found'
      )
        throw result.reason;
    }
    const missing = (Object.keys(settled) as (keyof typeof settled)[]).filter(
      (source) => settled[source].status === 'rejected',
    );
    for (const source of missing) {
      const reason = (settled[source] as PromiseRejectedResult).reason;
      ctx.reportDegraded(source, reason instanceof AppError ? reason.code : 'failed');
      if (!(reason instanceof AppError))
        ctx.logger.error('customer context source failed', { source, error: reason });
    }
    if (missing.length === Object.keys(settled).length) {
      throw new UpstreamUnavailableError(
        `None of the systems with ${input.customerId}'s data answered. Try again in a minute, or tell the user the systems are unavailable.`,
      );
    }
    return {
      customer: customer.status === 'fulfilled' ? customer.value : null,
      recentOrders: orders.status === 'fulfilled' ? orders.value : null,
      openTickets: tickets.status === 'fulfilled' ? tickets.value : null,
      note: noteFor(missing),
    };
  },
});
