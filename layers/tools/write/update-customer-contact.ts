import * as z from 'zod';
import { ConflictError } from '../../errors/index.ts';
import { customerIdSchema } from '../../model/customer.ts';
import { type ContactField, crmWrites } from '../../systems/crm/crm-writes.ts';
import { connectorOf, defineWriteTool } from '../define.ts';

const nullableText = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(200)
    .nullable()
    .optional()
    .describe(`New ${what}; null clears it; omit to keep it.`);

const changesSchema = z
  .strictObject({
    firstName: nullableText('first name'),
    lastName: nullableText('last name'),
    email: z
      .email()
      .nullable()
      .optional()
      .describe('New email address; null clears it; omit to keep it.'),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{5,25}$/, 'Give a phone number like +1 555 0100')
      .nullable()
      .optional()
      .describe('New phone number; null clears it; omit to keep it.'),
    jobTitle: nullableText('job title'),
  })
  .refine(
    (changes) => Object.values(changes).some((value) => value !== undefined),
    'Give at least one field to change',
  )
  .describe('Only these fields can be changed; omitted fields stay as they are.');

const resultSchema = z.object({
  contactId: z.string().describe('The updated CRM contact.'),
  changed: z.array(z.string()).describe('Fields that were changed.'),
  before: z
    .record(z.string(), z.string().nullable())
    .describe('Values before the change, by field.'),
});

type Changes = Partial<Record<ContactField, string | null>>;

const definedChanges = (changes: z.output<typeof changesSchema>): Changes =>
  Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Changes;

export const updateCustomerContact = defineWriteTool({
  name: 'update_customer_contact',
  title: "Update a customer contact's details",
  description:
    "Changes a customer contact's name, email, phone or job title in the CRM (only those fields). Use it when the user tells you a contact's details changed. The confirmation shows each field's value before and after; nothing changes until it is confirmed.",
  risk: 'write',
  confirmBy: 'self',
  systems: ['crm'],
  redact: ['changes.phone'],
  input: z.strictObject({
    customerId: customerIdSchema,
    contactId: z
      .string()
      .regex(/^\d+$/, 'Contact ids are digits; get_customer lists them')
      .describe('CRM contact id, from get_customer.'),
    changes: changesSchema,
  }),
  output: resultSchema,
  async preview(ctx, input) {
    const contact = await crmWrites(connectorOf(ctx, 'crm')).contactOf(
      input.customerId,
      input.contactId,
    );
    const changes = Object.entries(definedChanges(input.changes))
      .filter(([field, value]) => contact.values[field as ContactField] !== value)
      .map(([field, value]) => ({
        field,
        before: contact.values[field as ContactField],
        after: value,
      }));
    if (changes.length === 0) {
      throw new ConflictError(
        'nothing_to_change',
        'The contact already has these values; there is nothing to update.',
      );
    }
    const name =
      [contact.values.firstName, contact.values.lastName].filter(Boolean).join(' ') ||
      `contact ${contact.id}`;
    return {
      summary: `Update ${name} (${input.customerId}): ${changes.map((change) => `${change.field} from ${JSON.stringify(change.before)} to ${JSON.stringify(change.after)}`).join('; ')}.`,
      changes,
    };
  },
  steps: [
    {
      name: 'update_contact',
      system: 'crm',
      async run(ctx, input) {
        const crm = crmWrites(connectorOf(ctx, 'crm'));
        const contact = await crm.contactOf(input.customerId, input.contactId);
        const changes = definedChanges(input.changes);
        const before = Object.fromEntries(
          Object.keys(changes).map((field) => [field, contact.values[field as ContactField]]),
        );
        await crm.updateContact(input.contactId, changes);
        return { contactId: input.contactId, changed: Object.keys(changes), before };
      },
      async compensate(ctx, input, result) {
        const { before } = resultSchema.parse(result);
        await crmWrites(connectorOf(ctx, 'crm')).updateContact(input.contactId, before as Changes);
      },
    },
  ],
  result: (results) => resultSchema.parse(results.update_contact),
});
