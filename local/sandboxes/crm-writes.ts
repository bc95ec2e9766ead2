import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CrmPrincipal } from './crm-oauth.ts';
import type { CrmChange } from './crm-webhooks.ts';
import type { Reply, SandboxRoute } from './server.ts';

export type CrmProperties = Record<string, string | null>;
export interface CrmRecord {
  id: string;
  all: CrmProperties;
  createdAt: string;
  updatedAt: string;
  associated: string[];
  /** The CRM user who owns it (`hubspot_owner_id`): a user token sees only what its user owns. */
  owner?: string;
}

/** A record's property by a caller-given name: `constructor` or `toString` are no properties. */
export const propertyOf = (record: CrmRecord, name: string): string | null | undefined =>
  Object.hasOwn(record.all, name) ? record.all[name] : undefined;

export const hubspotError = (status: number, category: string, message: string): Reply => ({
  status,
  body: { status: 'error', message, correlationId: randomUUID(), category },
});

const EDITABLE_CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'jobtitle'];
/** HubSpot's association type id of note → contact. */
const NOTE_TO_CONTACT = 202;

interface Note {
  id: string;
  body: string;
  timestamp: string;
  contactIds: string[];
  createdAt: string;
  archived: boolean;
}

/**
 * The CRM's write routes, HubSpot CRM v3 shapes: contact updates and notes (activities)
 * associated with contacts. HubSpot has no idempotency keys, and neither has this.
 *
 * Each change is announced as HubSpot webhooks would see it: a `contact.propertyChange` per
 * property whose value changed, and for a note created or deleted, `notes_last_updated` of each
 * associated contact (HubSpot has no note subscriptions).
 *
 * Writes follow ownership as reads do (HubSpot's "owned only" permission): a user token changes
 * only contacts its user owns and sees only notes on them; another's contact is not found
 * (404 to a PATCH, "no contact to associate" to a note). The service credential writes anything.
 */
export function crmWriteRoutes(
  contacts: readonly CrmRecord[],
  announce: (changes: readonly CrmChange[]) => void,
  principalOf: (headers: IncomingHttpHeaders) => CrmPrincipal | undefined,
): SandboxRoute[] {
  const notes = new Map<string, Note>();
  /** The contact of this id that the request's credential may see and change. */
  const contactFor = (headers: IncomingHttpHeaders, id: string | undefined) => {
    const contact = contacts.find((candidate) => candidate.id === id);
    const principal = principalOf(headers);
    if (!contact) return undefined;
    return principal?.kind === 'user' && contact.owner !== principal.owner.id ? undefined : contact;
  };
  /** A note is the user's to see when it is on at least one contact the user owns. */
  const noteFor = (headers: IncomingHttpHeaders, id: string | undefined) => {
    const note = notes.get(id ?? '');
    if (!note || note.archived) return undefined;
    if (principalOf(headers)?.kind !== 'user') return note;
    return note.contactIds.some((contactId) => contactFor(headers, contactId)) ? note : undefined;
  };
  /** Touches `notes_last_updated` of the note's contacts, as logging an activity does in HubSpot. */
  const notesUpdated = (note: Note, at: number) => {
    const changes: CrmChange[] = [];
    for (const id of note.contactIds) {
      const contact = contacts.find((candidate) => candidate.id === id);
      if (!contact) continue;
      contact.all.notes_last_updated = new Date(at).toISOString();
      changes.push({
        subscriptionType: 'contact.propertyChange',
        objectId: contact.id,
        property: { name: 'notes_last_updated', value: String(at) },
        occurredAt: at,
      });
    }
    announce(changes);
  };
  let nextNote = 71_000_000_001;
  const presentNote = (note: Note) => ({
    id: note.id,
    properties: {
      hs_note_body: note.body,
      hs_timestamp: note.timestamp,
      hs_object_id: note.id,
      hs_createdate: note.createdAt,
    },
    createdAt: note.createdAt,
    updatedAt: note.createdAt,
    archived: false,
  });
  return [
    {
      method: 'PATCH',
      path: '/crm/v3/objects/contacts/{id}',
      operation: 'contacts.update',
      handle: ({ params, body, headers }) => {
        const contact = contactFor(headers, params.id);
        if (!contact)
          return hubspotError(404, 'OBJECT_NOT_FOUND', `resource not found: ${params.id}`);
        const properties = (body as { properties?: Record<string, unknown> })?.properties;
        if (!properties || typeof properties !== 'object') {
          return hubspotError(400, 'VALIDATION_ERROR', 'properties is required');
        }
        const unknown = Object.keys(properties).filter(
          (name) => !EDITABLE_CONTACT_PROPERTIES.includes(name),
        );
        if (unknown.length > 0) {
          return hubspotError(
            400,
            'VALIDATION_ERROR',
            `Property values were not valid: ${unknown.map((name) => `"${name}" does not exist`).join(', ')}`,
          );
        }
        const at = Date.now();
        const now = new Date(at).toISOString();
        const changes: CrmChange[] = [];
        for (const [name, value] of Object.entries(properties)) {
          const next = value === null || value === '' ? null : String(value);
          if ((contact.all[name] ?? null) !== next) {
            changes.push({
              subscriptionType: 'contact.propertyChange',
              objectId: contact.id,
              property: { name, value: next },
              occurredAt: at,
            });
          }
          contact.all[name] = next;
        }
        contact.all.lastmodifieddate = now;
        contact.updatedAt = now;
        announce(changes);
        return {
          status: 200,
          body: {
            id: contact.id,
            properties: contact.all,
            createdAt: contact.createdAt,
            updatedAt: now,
            archived: false,
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/crm/v3/objects/notes',
      operation: 'notes.create',
      handle: ({ body, headers }) => {
        const input = body as {
          properties?: { hs_note_body?: string; hs_timestamp?: string };
          associations?: { to?: { id?: string }; types?: { associationTypeId?: number }[] }[];
        };
        if (!input?.properties?.hs_note_body || !input.properties.hs_timestamp) {
          return hubspotError(
            400,
            'VALIDATION_ERROR',
            'hs_note_body and hs_timestamp are required',
          );
        }
        const contactIds = (input.associations ?? [])
          .filter((association) =>
            association.types?.some((type) => type.associationTypeId === NOTE_TO_CONTACT),
          )
          .map((association) => String(association.to?.id ?? ''));
        const missing = contactIds.filter((id) => !contactFor(headers, id));
        if (missing.length > 0)
          return hubspotError(
            400,
            'VALIDATION_ERROR',
            `No contact ${missing.join(', ')} to associate`,
          );
        const note: Note = {
          id: String(nextNote++),
          body: input.properties.hs_note_body,
          timestamp: input.properties.hs_timestamp,
          contactIds,
          createdAt: new Date().toISOString(),
          archived: false,
        };
        notes.set(note.id, note);
        notesUpdated(note, Date.parse(note.createdAt));
        return { status: 201, body: presentNote(note) };
      },
    },
    {
      method: 'GET',
      path: '/crm/v3/objects/notes/{id}',
      operation: 'notes.get',
      handle: ({ params, headers }) => {
        const note = noteFor(headers, params.id);
        return note
          ? { status: 200, body: presentNote(note) }
          : hubspotError(404, 'OBJECT_NOT_FOUND', `resource not found: ${params.id}`);
      },
    },
    {
      method: 'DELETE',
      path: '/crm/v3/objects/notes/{id}',
      operation: 'notes.delete',
      handle: ({ params, headers }) => {
        const note = noteFor(headers, params.id);
        if (note) {
          note.archived = true;
          notesUpdated(note, Date.now());
        }
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/crm/v3/objects/contacts/{id}/associations/notes',
      operation: 'contacts.notes',
      handle: ({ params, headers }) => {
        if (!contactFor(headers, params.id))
          return hubspotError(404, 'OBJECT_NOT_FOUND', `resource not found: ${params.id}`);
        return {
          status: 200,
          body: {
            results: [...notes.values()]
              .filter((note) => !note.archived && note.contactIds.includes(params.id ?? ''))
              .map((note) => ({
                toObjectId: Number(note.id),
                associationTypes: [
                  { category: 'HUBSPOT_DEFINED', typeId: NOTE_TO_CONTACT, label: null },
                ],
              })),
          },
        };
      },
    },
  ];
}
