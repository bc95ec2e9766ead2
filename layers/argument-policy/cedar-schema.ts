import * as z from 'zod';
import type { AnyTool, PolicyFact } from '../tools/define.ts';

/** A Cedar type in the JSON schema format. */
export type CedarType =
  | { type: 'String' | 'Long' | 'Boolean' }
  | { type: 'Extension'; name: 'decimal' }
  | { type: 'Set'; element: CedarType }
  | { type: 'Record'; attributes: Record<string, CedarAttribute> };
type CedarAttribute = CedarType & { required?: boolean };

/** The principal's entity type: the caller, with their `sub` and `roles`. */
export const CALLER_TYPE = 'Caller';
/** The resource's entity type: the tool called. */
export const TOOL_TYPE = 'Tool';

const unwrapped = (schema: z.ZodType): { schema: z.ZodType; optional: boolean } => {
  let node = schema;
  let optional = false;
  for (;;) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodNullable) {
      optional = true;
      node = node.unwrap() as z.ZodType;
    } else if (node instanceof z.ZodDefault || node instanceof z.ZodReadonly) {
      node = node.unwrap() as z.ZodType;
    } else if (node instanceof z.ZodPipe) {
      node = node.out as z.ZodType;
    } else {
      return { schema: node, optional };
    }
  }
};

const DECIMAL: CedarType = { type: 'Extension', name: 'decimal' };
/** Cedar's decimal holds 4 fractional digits in a signed 64-bit integer. */
const DECIMAL_PLACES = 4;
const DECIMAL_LIMIT = 922_337_203_685_477;

const isInteger = (node: z.ZodNumber) =>
  (node as unknown as { format: string | null }).format?.includes('int') === true;

/**
 * A number as a Cedar decimal (`{"__extn":{"fn":"decimal","arg":"12.5000"}}`), rounded to
 * Cedar's 4 places; undefined when it is not a finite number within Cedar's decimal range, so a
 * rule naming it cannot be evaluated and refuses the call.
 *
 * @example
 * decimalValueOf(1000.005); // { __extn: { fn: 'decimal', arg: '1000.0050' } }
 */
export function decimalValueOf(value: unknown): unknown {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > DECIMAL_LIMIT)
    return undefined;
  return { __extn: { fn: 'decimal', arg: value.toFixed(DECIMAL_PLACES) } };
}

/**
 * The Cedar type of a zod schema, or undefined for what Cedar cannot hold as it is (unions,
 * maps): such a field is not in the context, so a rule naming it fails validation. Integers are
 * `Long`; other numbers `decimal` (compared with `.greaterThan(decimal("1000.50"))` and its
 * siblings), rounded to 4 places.
 */
export function cedarTypeOf(schema: z.ZodType): CedarType | undefined {
  const node = unwrapped(schema).schema;
  if (node instanceof z.ZodString || node instanceof z.ZodEnum) return { type: 'String' };
  if (node instanceof z.ZodBoolean) return { type: 'Boolean' };
  if (node instanceof z.ZodNumber) return isInteger(node) ? { type: 'Long' } : DECIMAL;
  if (node instanceof z.ZodLiteral) {
    const values = [...node.values];
    if (values.every((value) => typeof value === 'string')) return { type: 'String' };
    return undefined;
  }
  if (node instanceof z.ZodArray) {
    const element = cedarTypeOf(node.element as z.ZodType);
    return element ? { type: 'Set', element } : undefined;
  }
  if (node instanceof z.ZodObject) return recordOf(node);
  return undefined;
}

function recordOf(schema: z.ZodObject): CedarType {
  const attributes: Record<string, CedarAttribute> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const type = cedarTypeOf(field as z.ZodType);
    if (!type) continue;
    attributes[name] = unwrapped(field as z.ZodType).optional ? { ...type, required: false } : type;
  }
  return { type: 'Record', attributes };
}

const factType = (fact: PolicyFact): CedarType =>
  fact.type === 'Set<String>'
    ? { type: 'Set', element: { type: 'String' } }
    : fact.type === 'Decimal'
      ? DECIMAL
      : { type: fact.type };

/** A fact's value as Cedar context: a `Decimal` fact's number as a Cedar decimal. */
export const factValueOf = (fact: PolicyFact | undefined, value: unknown): unknown =>
  fact?.type === 'Decimal' ? decimalValueOf(value) : value;

/** A tool's Cedar context: its input fields as typed attributes, and its facts. */
export function contextTypeOf(tool: AnyTool): CedarType & { type: 'Record' } {
  const record = recordOf(tool.input) as CedarType & { type: 'Record' };
  for (const [name, fact] of Object.entries((tool.facts ?? {}) as Record<string, PolicyFact>)) {
    // Required, so a rule needs no `has` guard: a fact a rule names is always read for it.
    record.attributes[name] = factType(fact);
  }
  return record;
}

/**
 * The Cedar schema the argument rules are validated against: every tool an action (named as the
 * tool), the caller the principal, the tool the resource, the tool's input and facts the context.
 */
export function cedarSchemaOf(tools: readonly AnyTool[]) {
  const stringSet = { type: 'Set', element: { type: 'String' } } as const;
  return {
    '': {
      entityTypes: {
        [CALLER_TYPE]: {
          shape: { type: 'Record', attributes: { sub: { type: 'String' }, roles: stringSet } },
        },
        [TOOL_TYPE]: {},
      },
      actions: Object.fromEntries(
        tools.map((tool) => [
          tool.name,
          {
            appliesTo: {
              principalTypes: [CALLER_TYPE],
              resourceTypes: [TOOL_TYPE],
              context: contextTypeOf(tool),
            },
          },
        ]),
      ),
    },
  };
}

/** Input as Cedar context: the fields the schema holds, without absent or null values. */
export function contextValueOf(schema: z.ZodType, value: unknown): unknown {
  const node = unwrapped(schema).schema;
  if (value === null || value === undefined) return undefined;
  if (node instanceof z.ZodObject) {
    if (typeof value !== 'object') return undefined;
    const record: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(node.shape)) {
      if (!cedarTypeOf(field as z.ZodType)) continue;
      const converted = contextValueOf(
        field as z.ZodType,
        (value as Record<string, unknown>)[name],
      );
      if (converted !== undefined) record[name] = converted;
    }
    return record;
  }
  if (node instanceof z.ZodNumber && !isInteger(node)) return decimalValueOf(value);
  if (node instanceof z.ZodArray) {
    return Array.isArray(value)
      ? value
          .map((item) => contextValueOf(node.element as z.ZodType, item))
          .filter((item) => item !== undefined)
      : undefined;
  }
  return value;
}
