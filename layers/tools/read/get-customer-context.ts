import * as z from 'zod';
import { AppError, NotFoundError, UpstreamUnavailableError } from '../../errors/index.ts';
import { customerIdSchema, customerSchema } from '../../model/customer.ts';
import { orderSchema } from '../../model/order.ts';
import { openTicketStatuses, ticketSchema } from '../../model/ticket.ts';
import { crmCustomers } from '../../systems/crm/objects.ts';
import { erpOrders } from '../../systems/erp/orders.ts';
import { zendeskTickets } from '../../systems/ticketing/tickets.ts';
import { connectorOf, defineReadTool } from '../define.ts';

const SOURCES = {
  crm: 'the account details',
  erp: 'recent orders',
  ticketing: 'open support tickets',
} as const;

type Source = keyof typeof SOURCES;

/** The output field each source fills, and the tool whose grant it needs. */
const PARTS = {
  crm: { field: 'customer', needs: 'get_customer' },
  erp: { field: 'recentOrders', needs: 'get_customer_orders' },
  ticketing: { field: 'openTickets', needs: 'get_customer_tickets' },
} as const satisfies Record<Source, { field: string; needs: string }>;

const list = (items: string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
const capitalised = (sentence: string) => sentence.charAt(0).toUpperCase() + sentence.slice(1);

/**
 * Plain sentences the agent can relay when some sources were unavailable or withheld. Every
 * source name is plural ("recent orders"), so the verb is always "are".
 */
function noteFor(missing: Source[], withheld: Source[]): string | null {
  const sentences: string[] = [];
  if (missing.length > 0) {
    const present = (Object.keys(SOURCES) as Source[]).filter(
      (source) => !missing.includes(source) && !withheld.includes(source),
    );
    const unavailable = `${list(missing.map((source) => SOURCES[source]))} are unavailable right now; try again in a minute for the rest.`;
    sentences.push(
      capitalised(
        present.length > 0
          ? `${list(present.map((source) => SOURCES[source]))} are here, but ${unavailable}`
          : unavailable,
      ),
    );
  }
  if (withheld.length > 0) {
    sentences.push(
      capitalised(
        `${list(withheld.map((source) => SOURCES[source]))} are withheld: your role does not grant them (${list(withheld.map((source) => PARTS[source].needs))}).`,
      ),
    );
  }
  return sentences.length > 0 ? sentences.join(' ') : null;
}

export const getCustomerContext = defineReadTool({
  name: 'get_customer_context',
  title: 'Get the full picture of a customer',
  description:
    'Gets what you need at the start of a conversation about a customer, in one call: the CRM profile and contacts, the most recent ERP orders and the open support tickets, read in parallel. Use it instead of three separate calls; for late, failed or held deliveries call get_delivery_exceptions beside it. If a system is down you still get the rest, with meta.degraded and a note to pass on to the user; a part your role does not grant is null, named in meta.withheld and in the note.',
  risk: 'read',
  systems: ['crm', 'erp', 'ticketing'],
  parts: {
    customer: { needs: PARTS.crm.needs, systems: ['crm'] },
    recentOrders: { needs: PARTS.erp.needs, systems: ['erp'] },
    openTickets: { needs: PARTS.ticketing.needs, systems: ['ticketing'] },
  },
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
      .describe('CRM profile and contacts; null if the CRM was unavailable or withheld.'),
    recentOrders: z
      .array(orderSchema)
      .nullable()
      .describe('Most recent orders, newest first; null if the ERP was unavailable or withheld.'),
    openTickets: z
      .array(ticketSchema)
      .nullable()
      .describe('Tickets that still need work; null if ticketing was unavailable or withheld.'),
    note: z
      .string()
      .nullable()
      .describe('What is missing and why, in words to relay to the user; null when complete.'),
  }),
  async run(ctx, input) {
    // A withheld part is not read at all: the caller's role does not grant its data.
    const granted = <T>(source: Source, read: () => Promise<T>): Promise<T | null> =>
      ctx.withheld.has(PARTS[source].field) ? Promise.resolve(null) : read();
    const [customer, orders, tickets] = await Promise.allSettled([
      granted('crm', () => crmCustomers(connectorOf(ctx, 'crm')).get(input.customerId)),
      granted('erp', () =>
        erpOrders(connectorOf(ctx, 'erp')).forCustomer(input.customerId, {
          limit: input.ordersLimit,
        }),
      ),
      granted('ticketing', () =>
        zendeskTickets(connectorOf(ctx, 'ticketing')).forCustomer(input.customerId, {
          statuses: openTicketStatuses,
          limit: 20,
        }),
      ),
    ]);
    const settled = { crm: customer, erp: orders, ticketing: tickets } as const;
    const withheld = (Object.keys(PARTS) as Source[]).filter((source) =>
      ctx.withheld.has(PARTS[source].field),
    );
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
    if (missing.length + withheld.length === Object.keys(settled).length) {
      throw new UpstreamUnavailableError(
        `None of the systems with ${input.customerId}'s data answered. Try again in a minute, or tell the user the systems are unavailable.`,
      );
    }
    return {
      customer: customer.status === 'fulfilled' ? customer.value : null,
      recentOrders: orders.status === 'fulfilled' ? orders.value : null,
      openTickets: tickets.status === 'fulfilled' ? tickets.value : null,
      note: noteFor(missing, withheld),
    };
  },
});
