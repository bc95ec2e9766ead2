import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getSeed } from '#local/sandboxes/seed.ts';
import type { RunningSandbox } from '#local/sandboxes/server.ts';
import { startTicketingSandbox } from '#local/sandboxes/ticketing.ts';
import { basic, call, credentials, resetFaults, setFaults } from './support.ts';

const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const headers = {
  authorization: basic(credentials.ticketing.username, credentials.ticketing.password),
};

describe('startTicketingSandbox', () => {
  let zendesk: RunningSandbox;
  const seed = getSeed();
  const company = seed.companies[6]!;
  const get = (path: string) => call(`${zendesk.url}${path}`, { headers });
  /** Follows `meta.after_cursor` from the first page to the last, collecting every ticket. */
  const walk = async (path: string, size: number) => {
    const tickets: any[] = [];
    let after: string | null = null;
    let last: any;
    do {
      const page: any = await get(
        `${path}?page[size]=${size}${after ? `&page[after]=${after}` : ''}`,
      );
      expect(page.status).toBe(200);
      tickets.push(...page.body.tickets);
      after = page.body.meta.has_more ? page.body.meta.after_cursor : null;
      last = page.body;
    } while (after);
    return { tickets, last };
  };

  beforeAll(async () => {
    zendesk = await startTicketingSandbox({ credentials: credentials.ticketing });
  });
  afterEach(() => resetFaults(zendesk.url));
  afterAll(() => zendesk.close());

  describe('authentication', () => {
    it('returns 401 when the password is wrong', async () => {
      // Act
      const res = await call(`${zendesk.url}/api/v2/tickets.json`, {
        headers: { authorization: basic(credentials.ticketing.username, 'nope') },
      });

      // Assert
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "Couldn't authenticate you" });
    });

    it('returns 401 when no credentials are sent', async () => {
      // Act
      const res = await call(`${zendesk.url}/api/v2/tickets/1001.json`);

      // Assert
      expect(res.status).toBe(401);
    });
  });

  describe('organizations', () => {
    it('finds the organization whose external_id is the customer number', async () => {
      // Act
      const res = await get('/api/v2/organizations/search.json?external_id=C-00007');

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(1);
      expect(res.body.organizations[0]).toMatchObject({
        id: company.organizationId,
        name: company.name,
        external_id: 'C-00007',
        domain_names: [company.domain],
        created_at: expect.stringMatching(ISO_Z),
        updated_at: expect.stringMatching(ISO_Z),
      });
    });

    it('returns an empty result when no organization has the external_id', async () => {
      // Act
      const res = await get('/api/v2/organizations/search.json?external_id=C-99999');

      // Assert
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ organizations: [], count: 0 });
    });

    it('returns 400 InvalidValue when the search has no criteria', async () => {
      // Act
      const res = await get('/api/v2/organizations/search.json');

      // Assert
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('InvalidValue');
    });

    it('returns one organization by id', async () => {
      // Act
      const res = await get(`/api/v2/organizations/${company.organizationId}.json`);

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.organization).toMatchObject({
        id: company.organizationId,
        external_id: 'C-00007',
      });
    });

    it('returns 404 RecordNotFound when the organization is missing', async () => {
      // Act
      const res = await get('/api/v2/organizations/1.json');

      // Assert
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'RecordNotFound', description: 'Not found' });
    });

    it("walks the organization's tickets, and only those", async () => {
      // Act
      const { tickets } = await walk(
        `/api/v2/organizations/${company.organizationId}/tickets.json`,
        1,
      );

      // Assert
      const expected = seed.tickets.filter((t) => t.organizationId === company.organizationId);
      expect(tickets.map((t) => t.id).sort()).toEqual(expected.map((t) => t.id).sort());
      expect(tickets.every((t) => t.organization_id === company.organizationId)).toBe(true);
    });
  });

  describe('tickets.list', () => {
    it('walks all 600 tickets exactly once and ends without a next link', async () => {
      // Act
      const { tickets, last } = await walk('/api/v2/tickets.json', 100);

      // Assert
      expect(tickets).toHaveLength(600);
      expect(new Set(tickets.map((t) => t.id)).size).toBe(600);
      expect(last.meta).toMatchObject({ has_more: false, after_cursor: null });
      expect(last.links.next).toBeNull();
    });

    it('returns 100 tickets per page by default with cursors and links', async () => {
      // Act
      const res = await get('/api/v2/tickets.json');

      // Assert
      expect(res.body.tickets).toHaveLength(100);
      expect(res.body.meta).toMatchObject({ has_more: true, before_cursor: null });
      expect(res.body.links.next).toContain(`page[after]=${res.body.meta.after_cursor}`);
      expect(res.body.links.prev).toBeNull();
    });

    it('goes back a page with before_cursor', async () => {
      // Arrange
      const first = await get('/api/v2/tickets.json?page[size]=10');
      const second = await get(
        `/api/v2/tickets.json?page[size]=10&page[after]=${first.body.meta.after_cursor}`,
      );

      // Act
      const back = await get(
        `/api/v2/tickets.json?page[size]=10&page[before]=${second.body.meta.before_cursor}`,
      );

      // Assert
      expect(second.body.tickets[0].id).not.toBe(first.body.tickets[0].id);
      expect(second.body.links.prev).toContain('page[before]=');
      expect(back.body.tickets.map((t: any) => t.id)).toEqual(
        first.body.tickets.map((t: any) => t.id),
      );
    });

    it('returns 400 InvalidValue when page[size] is over 100 or the cursor is bad', async () => {
      // Act
      const size = await get('/api/v2/tickets.json?page[size]=101');
      const cursor = await get('/api/v2/tickets.json?page[after]=garbage');

      // Assert
      expect(size.status).toBe(400);
      expect(size.body.error).toBe('InvalidValue');
      expect(cursor.status).toBe(400);
    });
  });

  describe('tickets.get', () => {
    it('returns a ticket in the Zendesk shape', async () => {
      // Arrange
      const seeded = seed.tickets[0]!;

      // Act
      const res = await get(`/api/v2/tickets/${seeded.id}.json`);

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.ticket).toEqual({
        id: seeded.id,
        url: expect.stringMatching(new RegExp(`/api/v2/tickets/${seeded.id}\\.json$`)),
        external_id: null,
        type: seeded.type,
        subject: seeded.subject,
        raw_subject: seeded.subject,
        description: seeded.description,
        priority: seeded.priority,
        status: seeded.status,
        requester_id: seeded.requesterId,
        submitter_id: seeded.requesterId,
        assignee_id: seeded.assigneeId,
        organization_id: seeded.organizationId,
        group_id: expect.any(Number),
        tags: seeded.tags,
        created_at: expect.stringMatching(ISO_Z),
        updated_at: expect.stringMatching(ISO_Z),
        due_at: null,
        via: { channel: seeded.channel },
      });
    });

    it('returns 404 RecordNotFound when the ticket is missing', async () => {
      // Act
      const res = await get('/api/v2/tickets/1.json');

      // Assert
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('RecordNotFound');
    });
  });

  describe('users.get', () => {
    it('returns the requester as an end-user of the ticket organization', async () => {
      // Arrange
      const ticket = seed.tickets[0]!;
      const contact = seed.contacts.find((c) => c.userId === ticket.requesterId)!;

      // Act
      const res = await get(`/api/v2/users/${ticket.requesterId}.json`);

      // Assert
      expect(res.body.user).toEqual({
        id: ticket.requesterId,
        name: `${contact.firstName} ${contact.lastName}`,
        email: contact.email,
        role: 'end-user',
        organization_id: ticket.organizationId,
      });
    });

    it('returns an assignee as an agent', async () => {
      // Arrange
      const agent = seed.agents[0]!;

      // Act
      const res = await get(`/api/v2/users/${agent.userId}.json`);

      // Assert
      expect(res.body.user).toMatchObject({ id: agent.userId, role: 'agent', name: agent.name });
    });

    it('returns 404 when the user is missing', async () => {
      // Act
      const res = await get('/api/v2/users/1.json');

      // Assert
      expect(res.status).toBe(404);
    });
  });

  it('answers injected faults in the Zendesk error shape', async () => {
    // Arrange
    await setFaults(zendesk.url, { errorRate: 1, status: 500, operation: 'tickets.get' });

    // Act
    const res = await get('/api/v2/tickets/1001.json');

    // Assert
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ error: 'ServerError', description: expect.any(String) });
  });

  it('lists its operation names', async () => {
    // Act
    const res = await call(`${zendesk.url}/_sandbox/operations`);

    // Assert
    expect(res.body.operations).toEqual(
      expect.arrayContaining([
        'organizations.search',
        'organizations.get',
        'organizations.tickets',
        'tickets.list',
        'tickets.get',
        'users.get',
      ]),
    );
  });
});
