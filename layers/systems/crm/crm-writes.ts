import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { NotFoundError } from '../../errors/index.ts';

/** Contact fields an agent may change, mapped to HubSpot property names. */
export const CONTACT_FIELDS = {
  firstName: 'firstname',
  lastName: 'lastname',
  email: 'email',
  phone: 'phone',
  jobTitle: 'jobtitle',
} as const;
export type ContactField = keyof typeof CONTACT_FIELDS;

const contactObject = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  associations: z
    .record(z.string(), z.object({ results: z.array(z.object({ id: z.string() })) }))
    .optional(),
});
const companyObject = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  associations: z
    .record(z.string(), z.object({ results: z.array(z.object({ id: z.string() })) }))
    .optional(),
});
const noteObject = z.object({ id: z.string() });

/** HubSpot association type id of note → contact. */
const NOTE_TO_CONTACT = 202;

/**
 * Writes to a HubSpot-shaped CRM: contact updates and notes (activities) on contacts. HubSpot has
 * no idempotency keys; a repeated step is stopped by the saga's step idempotency instead.
 *
 * @example
 * const contact = await crmWrites(crm).contactOf('C-00021', '51000000000');
 */
export function crmWrites(crm: Connector) {
  const company = async (customerId: string) =>
    crm.request({
      operation: 'companies.get',
      path: `/crm/v3/objects/companies/${encodeURIComponent(customerId)}`,
      query: {
        idProperty: 'customer_number',
        properties: 'name,customer_number',
        associations: 'contacts',
      },
      response: companyObject,
      notFound: () =>
        new NotFoundError(
          'customer_not_found',
          `No customer ${customerId} exists in the CRM. Use search_customers to find the right id.`,
        ),
    });

  return {
    /** The customer's company name and contact ids. */
    async customer(
      customerId: string,
    ): Promise<{ crmId: string; name: string; contactIds: string[] }> {
      const found = await company(customerId);
      return {
        crmId: found.id,
        name: found.properties.name ?? customerId,
        contactIds: found.associations?.contacts?.results.map((result) => result.id) ?? [],
      };
    },

    /** A contact of the customer, with the editable fields; 404 when it is not the customer's. */
    async contactOf(
      customerId: string,
      contactId: string,
    ): Promise<{ id: string; values: Record<ContactField, string | null> }> {
      const owner = await this.customer(customerId);
      if (!owner.contactIds.includes(contactId)) {
        throw new NotFoundError(
          'contact_not_found',
          `Contact ${contactId} is not a contact of ${customerId}. get_customer lists the customer's contacts.`,
        );
      }
      const contact = await crm.request({
        operation: 'contacts.get',
        path: `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}`,
        query: { properties: Object.values(CONTACT_FIELDS).join(',') },
        response: contactObject,
        notFound: () =>
          new NotFoundError('contact_not_found', `Contact ${contactId} does not exist.`),
      });
      const values = Object.fromEntries(
        Object.entries(CONTACT_FIELDS).map(([field, property]) => [
          field,
          contact.properties[property] ?? null,
        ]),
      ) as Record<ContactField, string | null>;
      return { id: contact.id, values };
    },

    async updateContact(
      contactId: string,
      changes: Partial<Record<ContactField, string | null>>,
    ): Promise<void> {
      const properties = Object.fromEntries(
        Object.entries(changes).map(([field, value]) => [
          CONTACT_FIELDS[field as ContactField],
          value,
        ]),
      );
      await crm.request({
        operation: 'contacts.update',
        method: 'PATCH',
        path: `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}`,
        body: { properties },
        response: contactObject,
      });
    },

    async addNote(contactId: string, body: string): Promise<{ noteId: string }> {
      const note = await crm.request({
        operation: 'notes.create',
        method: 'POST',
        path: '/crm/v3/objects/notes',
        body: {
          properties: { hs_note_body: body, hs_timestamp: new Date().toISOString() },
          associations: [
            {
              to: { id: contactId },
              types: [
                { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: NOTE_TO_CONTACT },
              ],
            },
          ],
        },
        response: noteObject,
      });
      return { noteId: note.id };
    },

    async removeNote(noteId: string): Promise<void> {
      await crm.request({
        operation: 'notes.delete',
        method: 'DELETE',
        path: `/crm/v3/objects/notes/${encodeURIComponent(noteId)}`,
        response: z.unknown(),
      });
    },
  };
}
