import type { SeedTicket } from './seed.ts';
import type { Reply, SandboxRequest, SandboxRoute } from './server.ts';
import type { TicketChange } from './ticketing-webhooks.ts';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const TYPES = ['problem', 'incident', 'question', 'task'] as const;
const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;

interface TicketState {
  tickets: SeedTicket[];
  byId: Map<number, SeedTicket>;
  organizations: ReadonlySet<number>;
  present: (ticket: SeedTicket) => unknown;
  base: string;
  idempotent: (request: SandboxRequest, produce: () => Reply | Promise<Reply>) => Promise<Reply>;
  /** Announces a change by webhook (after the answer); a replayed create announces nothing. */
  announce: (change: TicketChange) => void;
}

const recordInvalid = (details: Record<string, string>): Reply => ({
  status: 422,
  body: {
    error: 'RecordInvalid',
    description: 'Record validation errors',
    details: Object.fromEntries(
      Object.entries(details).map(([field, description]) => [field, [{ description }]]),
    ),
  },
});

/**
 * Zendesk-shaped ticket writes: create (honours `Idempotency-Key`, as Zendesk does on ticket
 * creation), update, and (soft) delete. Each change is announced: `created`, `status_changed` and
 * `subject_changed` (only when the value changes), `soft_deleted`.
 */
export function ticketWriteRoutes(state: TicketState): SandboxRoute[] {
  let nextId = Math.max(...state.tickets.map((ticket) => ticket.id)) + 1;
  const notFound: Reply = {
    status: 404,
    body: { error: 'RecordNotFound', description: 'Not found' },
  };
  return [
    {
      method: 'POST',
      path: '/api/v2/tickets.json',
      operation: 'tickets.create',
      handle: (request) =>
        state.idempotent(request, () => {
          const input = (request.body as { ticket?: Record<string, unknown> })?.ticket ?? {};
          const subject = typeof input.subject === 'string' ? input.subject.trim() : '';
          const comment = (input.comment as { body?: unknown } | undefined)?.body;
          const problems: Record<string, string> = {};
          if (!subject) problems.subject = 'Subject: cannot be blank';
          if (typeof comment !== 'string' || !comment.trim())
            problems.description = 'Description: cannot be blank';
          const priority = input.priority ?? null;
          const type = input.type ?? null;
          if (priority !== null && !PRIORITIES.includes(priority as never))
            problems.priority = 'Priority: is invalid';
          if (type !== null && !TYPES.includes(type as never)) problems.type = 'Type: is invalid';
          const organizationId = Number(input.organization_id ?? 0);
          if (organizationId && !state.organizations.has(organizationId))
            problems.organization_id = 'Organization: is invalid';
          if (Object.keys(problems).length > 0) return recordInvalid(problems);
          const now = Date.now();
          const ticket: SeedTicket = {
            id: nextId++,
            subject,
            description: String(comment),
            status: 'new',
            priority: priority as SeedTicket['priority'],
            type: type as SeedTicket['type'],
            requesterId: Number(input.requester_id ?? 0),
            assigneeId: null,
            organizationId,
            tags: Array.isArray(input.tags) ? input.tags.map(String) : [],
            channel: 'api',
            createdAt: now,
            updatedAt: now,
          };
          state.tickets.push(ticket);
          state.byId.set(ticket.id, ticket);
          state.announce({ type: 'created', ticket });
          return {
            status: 201,
            body: { ticket: state.present(ticket) },
            headers: { location: `${state.base}/tickets/${ticket.id}.json` },
          };
        }),
    },
    {
      method: 'PUT',
      path: '/api/v2/tickets/{id}.json',
      operation: 'tickets.update',
      handle: ({ params, body }) => {
        const ticket = state.byId.get(Number(params.id));
        if (!ticket) return notFound;
        const input = (body as { ticket?: Record<string, unknown> })?.ticket ?? {};
        const previous = { status: ticket.status, subject: ticket.subject };
        if (input.status !== undefined) {
          if (!STATUSES.includes(input.status as never))
            return recordInvalid({ status: 'Status: is invalid' });
          ticket.status = input.status as SeedTicket['status'];
        }
        if (typeof input.subject === 'string' && input.subject.trim())
          ticket.subject = input.subject.trim();
        ticket.updatedAt = Date.now();
        if (ticket.status !== previous.status)
          state.announce({ type: 'status_changed', ticket, previous: previous.status });
        if (ticket.subject !== previous.subject)
          state.announce({ type: 'subject_changed', ticket, previous: previous.subject });
        return { status: 200, body: { ticket: state.present(ticket) } };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/tickets/{id}.json',
      operation: 'tickets.delete',
      handle: ({ params }) => {
        const ticket = state.byId.get(Number(params.id));
        if (!ticket) return notFound;
        state.byId.delete(ticket.id);
        state.tickets.splice(state.tickets.indexOf(ticket), 1);
        state.announce({ type: 'soft_deleted', ticket });
        return { status: 204 };
      },
    },
  ];
}
