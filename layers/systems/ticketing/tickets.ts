import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { type Ticket, ticketSchema } from '../../model/ticket.ts';
import { vendorDate } from '../../model/time.ts';
import { findOrganization } from './organizations.ts';

const zendeskTicket = z.object({
  id: z.number(),
  subject: z.string().nullable(),
  status: ticketSchema.shape.status,
  priority: ticketSchema.shape.priority,
  type: ticketSchema.shape.type,
  tags: z.array(z.string()),
  created_at: vendorDate.pipe(z.string()),
  updated_at: vendorDate.pipe(z.string()),
});
const ticketPage = z.object({
  tickets: z.array(zendeskTicket),
  meta: z.object({ has_more: z.boolean(), after_cursor: z.string().nullable() }),
});

const toTicket = (ticket: z.output<typeof zendeskTicket>): Ticket => ({
  id: String(ticket.id),
  subject: ticket.subject ?? '(no subject)',
  status: ticket.status,
  priority: ticket.priority,
  type: ticket.type,
  tags: ticket.tags,
  createdAt: ticket.created_at,
  updatedAt: ticket.updated_at,
});

/** Upper bound of tickets read per customer before filtering, to keep a call bounded. */
const MAX_SCAN = 500;

/**
 * Tickets in a Zendesk-shaped ticketing system; customers are organizations whose `external_id`
 * is the customer number.
 *
 * @example
 * const tickets = await zendeskTickets(ctx.connectors.ticketing).forCustomer('C-00042', { statuses: ['open'], limit: 20 });
 */
export function zendeskTickets(ticketing: Connector) {
  return {
    async forCustomer(
      customerId: string,
      options: { statuses: readonly string[]; limit: number },
    ): Promise<Ticket[]> {
      const organization = await findOrganization(ticketing, customerId);
      const wanted = new Set(options.statuses);
      const tickets = await ticketing.paginate({
        operation: 'organizations.tickets',
        path: `/api/v2/organizations/${organization.id}/tickets.json`,
        response: ticketPage,
        items: (page) => page.tickets,
        limit: MAX_SCAN,
      });
      return tickets
        .filter((ticket) => wanted.size === 0 || wanted.has(ticket.status))
        .map(toTicket)
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
        .slice(0, options.limit);
    },
  };
}
