import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { NotFoundError } from '../../errors/index.ts';
import { findOrganization } from './organizations.ts';

const createdTicket = z.object({ ticket: z.object({ id: z.number(), status: z.string() }) });

export interface NewTicket {
  subject: string;
  description: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  type: 'problem' | 'incident' | 'question' | 'task';
}

/**
 * Ticket writes in a Zendesk-shaped system: create (with `Idempotency-Key`, which Zendesk
 * supports on ticket creation) and delete as its compensation.
 *
 * @example
 * const org = await zendeskTicketWrites(ticketing).organization('C-00021');
 */
export function zendeskTicketWrites(ticketing: Connector) {
  return {
    organization: (customerId: string) => findOrganization(ticketing, customerId),

    async create(
      organizationId: number,
      ticket: NewTicket,
      idempotencyKey: string,
    ): Promise<{ ticketId: string; status: string }> {
      const created = await ticketing.request({
        operation: 'tickets.create',
        method: 'POST',
        path: '/api/v2/tickets.json',
        headers: { 'idempotency-key': idempotencyKey },
        body: {
          ticket: {
            subject: ticket.subject,
            comment: { body: ticket.description },
            priority: ticket.priority,
            type: ticket.type,
            organization_id: organizationId,
            tags: ['toolgate'],
          },
        },
        response: createdTicket,
      });
      return { ticketId: String(created.ticket.id), status: created.ticket.status };
    },

    async remove(ticketId: string): Promise<void> {
      await ticketing
        .request({
          operation: 'tickets.delete',
          method: 'DELETE',
          path: `/api/v2/tickets/${encodeURIComponent(ticketId)}.json`,
          response: z.unknown(),
          // Already gone is what a compensation wants.
          notFound: () => new NotFoundError('ticket_not_found', 'gone'),
        })
        .catch((error: unknown) => {
          if (error instanceof NotFoundError) return;
          throw error;
        });
    },
  };
}
