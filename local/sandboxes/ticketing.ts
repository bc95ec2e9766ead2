import { timingSafeEqual } from 'node:crypto';
import { getSeed, type SeedTicket } from './seed.ts';
import {
  cursor,
  idempotencyKeys,
  isoOf,
  type Reply,
  type RunningSandbox,
  startSandbox,
} from './server.ts';
import { defineSystemSandbox, demoSecret } from './system-sandbox.ts';
import { zendeskWebhooks } from './ticketing-webhooks.ts';
import { ticketWriteRoutes } from './ticketing-writes.ts';
import { webhookOutbox } from './webhooks.ts';

const notFound: Reply = {
  status: 404,
  body: { error: 'RecordNotFound', description: 'Not found' },
};
const invalid = (description: string): Reply => ({
  status: 400,
  body: { error: 'InvalidValue', description },
});

/**
 * The ticketing sandbox: the Zendesk Support API v2 shape (tickets, organizations, users, cursor
 * pagination), with basic auth as `{email}/token:{api_token}`. Ticket changes are announced by
 * Zendesk event webhooks once a target is set (`setWebhooks`).
 */
export function startTicketingSandbox(options: {
  port?: number;
  host?: string;
  credentials: { username: string; password: string };
}): Promise<RunningSandbox> {
  const seed = getSeed();
  const base = 'https://acme.zendesk.example/api/v2';
  const organizations = new Map(seed.companies.map((company) => [company.organizationId, company]));
  // Writes change tickets: each sandbox instance works on its own copy of the seed.
  const ownTickets: SeedTicket[] = structuredClone(seed.tickets);
  const tickets = new Map(ownTickets.map((ticket) => [ticket.id, ticket]));
  const contactsByUser = new Map(seed.contacts.map((contact) => [contact.userId, contact]));
  const agentsByUser = new Map(seed.agents.map((agent) => [agent.userId, agent]));
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`,
  );

  const presentTicket = (ticket: SeedTicket) => ({
    id: ticket.id,
    url: `${base}/tickets/${ticket.id}.json`,
    external_id: null,
    type: ticket.type,
    subject: ticket.subject,
    raw_subject: ticket.subject,
    description: ticket.description,
    priority: ticket.priority,
    status: ticket.status,
    requester_id: ticket.requesterId,
    submitter_id: ticket.requesterId,
    assignee_id: ticket.assigneeId,
    organization_id: ticket.organizationId,
    group_id: 20_000_001,
    tags: ticket.tags,
    created_at: isoOf(ticket.createdAt),
    updated_at: isoOf(ticket.updatedAt),
    due_at: null,
    via: { channel: ticket.channel },
  });
  const presentOrganization = (id: number) => {
    const company = organizations.get(id);
    return company
      ? {
          id,
          url: `${base}/organizations/${id}.json`,
          name: company.name,
          external_id: company.customerNumber,
          domain_names: [company.domain],
          created_at: isoOf(company.createdAt),
          updated_at: isoOf(company.updatedAt),
        }
      : undefined;
  };
  /**
   * Zendesk cursor pagination: `page[size]` (max 100), then `page[after]` with `meta.after_cursor`
   * or `page[before]` with `meta.before_cursor`. Both cursors encode where their page starts.
   */
  const cursorPage = (all: SeedTicket[], query: URLSearchParams, path: string): Reply => {
    const size = Number(query.get('page[size]') ?? 100);
    if (!Number.isInteger(size) || size < 1 || size > 100)
      return invalid('page[size] must be 1-100');
    const offset = cursor.decode(query.get('page[after]') ?? query.get('page[before]'));
    if (Number.isNaN(offset)) return invalid('page[after] or page[before] is invalid');
    const page = all.slice(offset, offset + size);
    const hasMore = offset + size < all.length;
    const after = hasMore ? cursor.encode(offset + size) : null;
    const before = offset > 0 ? cursor.encode(Math.max(0, offset - size)) : null;
    const link = (name: 'after' | 'before', value: string | null) =>
      value ? `${base}${path}?page[size]=${size}&page[${name}]=${value}` : null;
    return {
      status: 200,
      body: {
        tickets: page.map(presentTicket),
        meta: { has_more: hasMore, after_cursor: after, before_cursor: before },
        links: { next: link('after', after), prev: link('before', before) },
      },
    };
  };

  const webhooks = webhookOutbox();
  return startSandbox(
    {
      name: 'ticketing',
      requestIdHeader: 'x-zendesk-request-id',
      webhooks,
      routes: [
        ...ticketWriteRoutes({
          announce: zendeskWebhooks(webhooks),
          tickets: ownTickets,
          byId: tickets,
          organizations: new Set(organizations.keys()),
          present: presentTicket,
          base,
          idempotent: idempotencyKeys(() => ({
            status: 422,
            body: {
              error: 'IdempotencyKeyReused',
              description: 'Idempotency key reused with a different request',
            },
          })),
        }),
        {
          method: 'GET',
          path: '/api/v2/organizations/search.json',
          operation: 'organizations.search',
          handle: ({ query }) => {
            const externalId = query.get('external_id');
            const name = query.get('name');
            if (!externalId && !name) return invalid('external_id or name is required');
            const found = [...organizations.keys()]
              .filter((id) => {
                const company = organizations.get(id);
                return (
                  company &&
                  (externalId ? company.customerNumber === externalId : company.name === name)
                );
              })
              .map(presentOrganization);
            return {
              status: 200,
              body: {
                organizations: found,
                next_page: null,
                previous_page: null,
                count: found.length,
              },
            };
          },
        },
        {
          method: 'GET',
          path: '/api/v2/organizations/{id}.json',
          operation: 'organizations.get',
          handle: ({ params }) => {
            const organization = presentOrganization(Number(params.id));
            return organization ? { status: 200, body: { organization } } : notFound;
          },
        },
        {
          method: 'GET',
          path: '/api/v2/organizations/{id}/tickets.json',
          operation: 'organizations.tickets',
          handle: ({ params, query }) => {
            const id = Number(params.id);
            if (!organizations.has(id)) return notFound;
            const all = ownTickets.filter((ticket) => ticket.organizationId === id);
            return cursorPage(all, query, `/organizations/${id}/tickets.json`);
          },
        },
        {
          method: 'GET',
          path: '/api/v2/tickets.json',
          operation: 'tickets.list',
          handle: ({ query }) => cursorPage(ownTickets, query, '/tickets.json'),
        },
        {
          method: 'GET',
          path: '/api/v2/tickets/{id}.json',
          operation: 'tickets.get',
          handle: ({ params }) => {
            const ticket = tickets.get(Number(params.id));
            return ticket ? { status: 200, body: { ticket: presentTicket(ticket) } } : notFound;
          },
        },
        {
          method: 'GET',
          path: '/api/v2/users/{id}.json',
          operation: 'users.get',
          handle: ({ params }) => {
            const id = Number(params.id);
            const contact = contactsByUser.get(id);
            if (contact) {
              const organization = seed.companies.find(
                (company) => company.crmId === contact.companyCrmId,
              );
              return {
                status: 200,
                body: {
                  user: {
                    id,
                    name: `${contact.firstName} ${contact.lastName}`,
                    email: contact.email,
                    role: 'end-user',
                    organization_id: organization?.organizationId ?? null,
                  },
                },
              };
            }
            const agent = agentsByUser.get(id);
            return agent
              ? {
                  status: 200,
                  body: {
                    user: {
                      id,
                      name: agent.name,
                      email: agent.email,
                      role: 'agent',
                      organization_id: null,
                    },
                  },
                }
              : notFound;
          },
        },
      ],
      authenticate(headers) {
        const given = Buffer.from(String(headers.authorization ?? ''));
        if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
        return { status: 401, body: { error: "Couldn't authenticate you" } };
      },
      errorReply: (status, message) =>
        status === 404
          ? notFound
          : {
              status,
              body: {
                error: status >= 500 ? 'ServerError' : 'InvalidRequest',
                description: message,
              },
            },
    },
    options,
  );
}

/** The ticketing sandbox plays the registry's `ticketing`; its changes are signed as Zendesk's. */
export const ticketingSandbox = defineSystemSandbox({
  system: 'ticketing',
  label: 'Ticketing sandbox (Zendesk shape)',
  auth: 'basic',
  demoCredentials: () => ({ username: 'api@acme.example/token', password: demoSecret(24) }),
  webhookSource: 'zendesk',
  start: startTicketingSandbox,
});
