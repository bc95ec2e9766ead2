/** A JSON Schema node as an OpenAPI document holds it. */
export type Schema = Record<string, unknown>;

/** Keywords the gateway keeps; the rest (examples, xml, discriminator, …) only document. */
const KEPT = new Set([
  'type',
  'properties',
  'required',
  'items',
  'prefixItems',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'default',
  'description',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'additionalProperties',
]);

export interface ConvertOptions {
  /** `input`: read-only fields are dropped; `output`: write-only ones. */
  direction: 'input' | 'output';
  /** OpenAPI 3.0 (`nullable`, boolean `exclusiveMinimum`) or 3.1 (JSON Schema 2020-12). */
  version: '3.0' | '3.1';
  /** The whole document: `$ref`s a circular reference left are resolved against it. */
  root: Record<string, unknown>;
  /** Notes what could not be carried over, once per kind. */
  warn(message: string): void;
}

/**
 * An OpenAPI schema (dereferenced) as JSON Schema 2020-12 the gateway converts to zod: 3.0's
 * `nullable` becomes a `null` type, read-only fields leave inputs and write-only ones outputs, and
 * what only documents is dropped. The parser leaves circular `$ref`s in place: they are followed
 * here, and where one leads back into itself, that part becomes `{}` (any value).
 *
 * @example
 * toJsonSchema({ type: 'string', nullable: true }, { direction: 'output', version: '3.0', warn });
 * // { type: ['string', 'null'] }
 */
export function toJsonSchema(schema: unknown, options: ConvertOptions): Schema {
  return convert(schema, options, new Set());
}

/** The node a local `$ref` (`#/components/schemas/Issue`) points at. */
function resolve(root: Record<string, unknown>, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

function convert(schema: unknown, options: ConvertOptions, seen: Set<unknown>): Schema {
  if (schema === true || schema === undefined) return {};
  if (schema === false) return { not: {} };
  if (typeof schema !== 'object' || schema === null) return {};
  let node = schema as Schema;
  if (typeof node.$ref === 'string') {
    const { $ref: ref, ...siblings } = node;
    const target = resolve(options.root, ref as string);
    if (seen.has(ref) || target === undefined) {
      options.warn(
        target === undefined
          ? `the $ref ${String(ref)} could not be followed: that part is accepted as any value`
          : `a schema refers to itself (${String(ref)}): the nested part is accepted as any value; describe it by hand if agents need its shape`,
      );
      return typeof siblings.description === 'string' ? { description: siblings.description } : {};
    }
    seen = new Set(seen).add(ref);
    node = { ...(target as Schema), ...siblings };
  }
  if (seen.has(node)) return {};
  const inner = new Set(seen).add(node);
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT.has(key)) continue;
    if (key === 'properties') {
      const properties: Schema = {};
      for (const [name, child] of Object.entries(value as Schema)) {
        const flags = child as { readOnly?: boolean; writeOnly?: boolean };
        if (options.direction === 'input' && flags?.readOnly) continue;
        if (options.direction === 'output' && flags?.writeOnly) continue;
        properties[name] = convert(child, options, inner);
      }
      out.properties = properties;
    } else if (key === 'items' || key === 'not' || key === 'additionalProperties') {
      out[key] = typeof value === 'boolean' ? value : convert(value, options, inner);
    } else if (key === 'allOf' || key === 'oneOf' || key === 'anyOf' || key === 'prefixItems') {
      out[key] = (value as unknown[]).map((child) => convert(child, options, inner));
    } else {
      out[key] = value;
    }
  }
  if (Array.isArray(out.required) && out.properties) {
    const present = Object.keys(out.properties as Schema);
    out.required = (out.required as string[]).filter((name) => present.includes(name));
    if ((out.required as string[]).length === 0) delete out.required;
  }
  if (options.version === '3.0') {
    for (const bound of ['exclusiveMinimum', 'exclusiveMaximum'] as const) {
      const limit = bound === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (out[bound] === true && typeof out[limit] === 'number') {
        out[bound] = out[limit];
        delete out[limit];
      } else if (typeof out[bound] === 'boolean') delete out[bound];
    }
    if (node.nullable === true) return nullable(out);
  }
  return out;
}

/** The schema that also accepts null. */
function nullable(schema: Schema): Schema {
  if (typeof schema.type === 'string') {
    const withNull: Schema = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum)) withNull.enum = [...schema.enum, null];
    return withNull;
  }
  const { description, ...rest } = schema;
  return {
    ...(description !== undefined ? { description } : {}),
    anyOf: [rest, { type: 'null' }],
  };
}

/** Dot paths of the properties (nested, in arrays and combinations) that carry no description. */
export function undescribed(schema: Schema, path = ''): string[] {
  const missing: string[] = [];
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    const childPath = path ? `${path}.${name}` : name;
    if (typeof child.description !== 'string' || child.description.trim().length < 5)
      missing.push(childPath);
    missing.push(...undescribed(child, childPath));
  }
  if (schema.items && typeof schema.items === 'object')
    missing.push(...undescribed(schema.items as Schema, `${path}[]`));
  for (const key of ['allOf', 'oneOf', 'anyOf'])
    for (const child of (schema[key] ?? []) as Schema[]) missing.push(...undescribed(child, path));
  return missing;
}
