import * as z from 'zod';

/**
 * The canonical model's fields that policies may name, by entity. A plain list, so the policy
 * validates field rules without loading the model's schemas; `tagFields` checks the schemas
 * against it when they load, so the two cannot drift apart.
 */
export const modelFields = {
  customer: [
    'id',
    'name',
    'domain',
    'industry',
    'city',
    'country',
    'crmId',
    'phone',
    'employees',
    'annualRevenue',
    'lifecycleStage',
    'createdAt',
    'updatedAt',
    'contacts',
  ],
  contact: ['id', 'firstName', 'lastName', 'email', 'phone', 'jobTitle'],
  order: [
    'id',
    'customerId',
    'status',
    'orderedAt',
    'shippedAt',
    'deliveredAt',
    'carrier',
    'trackingNumber',
    'currency',
    'total',
    'lines',
  ],
  orderLine: ['sku', 'description', 'quantity', 'unitPrice', 'amount'],
  ticket: ['id', 'subject', 'status', 'priority', 'type', 'tags', 'createdAt', 'updatedAt'],
} as const;

export type ModelEntity = keyof typeof modelFields;

/** Every field name a policy may name, e.g. `contact.phone`. */
export const modelFieldNames: ReadonlySet<string> = new Set(
  Object.entries(modelFields).flatMap(([entity, keys]) => keys.map((key) => `${entity}.${key}`)),
);

/**
 * Which model field a schema carries, wherever a tool's output uses it. A registry of its own
 * rather than `.meta()`: the tag stays out of the JSON Schemas agents read.
 */
export const fieldTags = z.registry<{ field: string }>();

/**
 * Tags every property of an entity's object shape as `<entity>.<key>`. Each property is cloned
 * first: a schema shared by two entities (a customer id in an order) carries each entity's tag
 * in its own place, and its description through the clone's parent.
 *
 * @example
 * const contactSchema = z.object(tagFields('contact', { phone: z.string().nullable() }));
 */
export function tagFields<S extends Record<string, z.ZodType>>(entity: ModelEntity, shape: S): S {
  const known: readonly string[] = modelFields[entity];
  const tagged: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(shape)) {
    if (!known.includes(key)) {
      throw new Error(
        `The model field "${entity}.${key}" is not listed in layers/model/fields.ts: add it there.`,
      );
    }
    tagged[key] = schema.clone().register(fieldTags, { field: `${entity}.${key}` });
  }
  return tagged as S;
}
