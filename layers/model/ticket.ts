import * as z from 'zod';
import { tagFields } from './fields.ts';
import { isoDateTime } from './time.ts';

export const ticketStatuses = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
/** Statuses in which a ticket still needs work. */
export const openTicketStatuses = ['new', 'open', 'pending', 'hold'] as const;

export const ticketSchema = z
  .object(
    tagFields('ticket', {
      id: z.string().describe('Ticket id in the ticketing system.'),
      subject: z.string().describe('Ticket subject.'),
      status: z
        .enum(ticketStatuses)
        .describe('new, open, pending (waiting on the customer), hold, solved or closed.'),
      priority: z
        .enum(['low', 'normal', 'high', 'urgent'])
        .nullable()
        .describe('Priority; null when not set.'),
      type: z
        .enum(['problem', 'incident', 'question', 'task'])
        .nullable()
        .describe('Ticket type; null when not set.'),
      tags: z.array(z.string()).describe('Tags on the ticket.'),
      createdAt: isoDateTime().describe('When the ticket was opened (ISO 8601).'),
      updatedAt: isoDateTime().describe('When the ticket last changed (ISO 8601).'),
    }),
  )
  .describe('A support ticket.');
export type Ticket = z.output<typeof ticketSchema>;
