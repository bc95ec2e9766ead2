import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { CrmOwner, CrmPrincipal } from '#local/sandboxes/crm-oauth.ts';
import type { CrmChange } from '#local/sandboxes/crm-webhooks.ts';
import { type CrmRecord, crmWriteRoutes } from '#local/sandboxes/crm-writes.ts';

const ana: CrmOwner = { id: '101', login: 'ana', email: 'ana@example.test' };
const bea: CrmOwner = { id: '102', login: 'bea', email: 'bea@example.test' };

const contactOf = (id: string, owner: CrmOwner): CrmRecord => ({
  id,
  all: { firstname: `First ${id}`, email: `${id}@example.test` },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  associated: [],
  owner: owner.id,
});

/** The write routes over two contacts, ana's and bea's, with a token per principal. */
function arrange() {
  const contacts = [contactOf('501', ana), contactOf('502', bea)];
  const announced: CrmChange[] = [];
  const principals: Record<string, CrmPrincipal> = {
    'Bearer service': { kind: 'service' },
    'Bearer ana': { kind: 'user', owner: ana, via: 'oauth' },
  };
  const routes = crmWriteRoutes(
    contacts,
    (changes) => announced.push(...changes),
    (headers: IncomingHttpHeaders) => principals[headers.authorization ?? ''],
  );
  const send = async (
    operation: string,
    as: 'service' | 'ana',
    request: { params?: Record<string, string>; body?: unknown } = {},
  ) => {
    const route = routes.find((candidate) => candidate.operation === operation);
    if (!route) throw new Error(`no route ${operation}`);
    return route.handle({
      params: request.params ?? {},
      query: new URLSearchParams(),
      headers: { authorization: `Bearer ${as}` },
      body: request.body,
    });
  };
  return { contacts, announced, send };
}

const noteOn = (contactId: string) => ({
  properties: { hs_note_body: 'Called about the invoice', hs_timestamp: '2026-12-03T10:00:00Z' },
  associations: [{ to: { id: contactId }, types: [{ associationTypeId: 202 }] }],
});

describe('crmWriteRoutes ownership', () => {
  it("lets a user token update only the user's own contacts", async () => {
    // Arrange
    const { contacts, announced, send } = arrange();
    // Act
    const own = await send('contacts.update', 'ana', {
      params: { id: '501' },
      body: { properties: { jobtitle: 'Buyer' } },
    });
    const other = await send('contacts.update', 'ana', {
      params: { id: '502' },
      body: { properties: { jobtitle: 'Buyer' } },
    });
    // Assert
    expect(own.status).toBe(200);
    expect(other.status).toBe(404);
    expect(contacts[1]?.all.jobtitle).toBeUndefined();
    expect(announced.map((change) => change.objectId)).toEqual(['501']);
  });

  it('lets the service credential update any contact', async () => {
    // Arrange
    const { contacts, send } = arrange();
    // Act
    const res = await send('contacts.update', 'service', {
      params: { id: '502' },
      body: { properties: { jobtitle: 'Buyer' } },
    });
    // Assert
    expect(res.status).toBe(200);
    expect(contacts[1]?.all.jobtitle).toBe('Buyer');
  });

  it("refuses a user's note on a contact the user does not own, and writes nothing", async () => {
    // Arrange
    const { announced, send } = arrange();
    // Act
    const res = await send('notes.create', 'ana', { body: noteOn('502') });
    const listed = await send('contacts.notes', 'service', { params: { id: '502' } });
    // Assert
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('No contact 502 to associate');
    expect((listed.body as { results: unknown[] }).results).toEqual([]);
    expect(announced).toEqual([]);
  });

  it("hides another owner's notes from a user token, reading, listing and deleting", async () => {
    // Arrange
    const { send } = arrange();
    const created = await send('notes.create', 'service', { body: noteOn('502') });
    const noteId = (created.body as { id: string }).id;
    // Act
    const read = await send('notes.get', 'ana', { params: { id: noteId } });
    const listed = await send('contacts.notes', 'ana', { params: { id: '502' } });
    await send('notes.delete', 'ana', { params: { id: noteId } });
    const still = await send('notes.get', 'service', { params: { id: noteId } });
    // Assert
    expect(created.status).toBe(201);
    expect(read.status).toBe(404);
    expect(listed.status).toBe(404);
    expect(still.status).toBe(200);
  });

  it("lets a user token read and delete a note on the user's own contact", async () => {
    // Arrange
    const { send } = arrange();
    const created = await send('notes.create', 'ana', { body: noteOn('501') });
    const noteId = (created.body as { id: string }).id;
    // Act
    const read = await send('notes.get', 'ana', { params: { id: noteId } });
    await send('notes.delete', 'ana', { params: { id: noteId } });
    const gone = await send('notes.get', 'service', { params: { id: noteId } });
    // Assert
    expect(created.status).toBe(201);
    expect(read.status).toBe(200);
    expect(gone.status).toBe(404);
  });
});
