import * as z from 'zod';
import { type ErrorIssue, MAX_ISSUES, ValidationError } from '../errors/index.ts';
import type { AnyTool } from '../tools/define.ts';

/**
 * One issue per field path, with what to do about it. Parse with `{ reportInput: true }` so a
 * missing field can be told from a wrong one; the input values themselves are never reported.
 */
export function describeIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.flatMap((issue): ErrorIssue[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: base ? `${base}.${key}` : key,
        message: `Unknown field "${key}": remove it; the tool's inputSchema lists the accepted fields.`,
      }));
    }
    return [{ path: base, message: fixHint(issue) }];
  });
}

function fixHint(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `Required: provide ${article(issue.expected)} ${issue.expected}.`
        : `Expected ${article(issue.expected)} ${issue.expected}: ${issue.message}.`;
    case 'invalid_value':
      return `Must be one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
    default:
      return `${issue.message}.`;
  }
}

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/**
 * The 400 for a tool input that fails its schema, the same over every transport: names the fields
 * (the first few, when there are many) and says what to do.
 *
 * @example
 * if (!result.success) throw invalidInput(tool.name, result.error);
 */
export function invalidInput(toolName: string, error: z.ZodError): ValidationError {
  const issues = describeIssues(error);
  const paths = [...new Set(issues.map((issue) => issue.path || '(input)'))];
  const named =
    paths.length > MAX_ISSUES
      ? `${paths.slice(0, MAX_ISSUES).join(', ')} and ${paths.length - MAX_ISSUES} more`
      : paths.join(', ');
  return new ValidationError(
    `The input of "${toolName}" is invalid: ${named}. Fix the listed fields and call again.`,
    { issues },
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The object schema a field holds once its optionality, default or fallback is set aside. */
function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch
  ) {
    return objectOf(schema.unwrap() as z.ZodType);
  }
  return undefined;
}

/**
 * Drops the nulls that stand for "left out": OpenAI strict function calling sends every property,
 * null for an optional one (see `toOpenAiStrict`). A null stays where the field accepts null (it
 * means "clear it" there) and where the field is required (refused as null). Nested objects too;
 * own keys only, so a caller's `__proto__` stays a key the schema refuses.
 */
function dropLeftOutNulls(schema: z.ZodType, value: unknown): unknown {
  const object = objectOf(schema);
  if (!object || !isRecord(value)) return value;
  const shape = object.shape as Record<string, z.ZodType>;
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, child]) => {
      const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
      const leftOut =
        child === null &&
        field !== undefined &&
        field.safeParse(undefined).success &&
        !field.safeParse(null).success;
      if (leftOut) return [];
      return [[key, field ? dropLeftOutNulls(field, child) : child]];
    }),
  );
}

const inputSchemas = new WeakMap<AnyTool, z.ZodType>();

/** A tool's input schema as calls are checked against it: nulls for left-out fields dropped first. */
function inputSchemaOf(tool: AnyTool): z.ZodType {
  let schema = inputSchemas.get(tool);
  if (!schema) {
    const input: z.ZodType = tool.input;
    schema = z.preprocess((raw) => dropLeftOutNulls(input, raw), input);
    inputSchemas.set(tool, schema);
  }
  return schema;
}

/**
 * The tool's input as its schema defines it (unknown fields refused), checked in one pass against
 * the tool's zod schema. Strict function-calling clients send null for a field they leave out, so
 * those nulls are dropped first.
 *
 * @example
 * validateToolInput(getCustomerOrders, { customerId: 'C-00001', limit: null }); // { customerId: 'C-00001', limit: 10 }
 */
export function validateToolInput(tool: AnyTool, raw: unknown): unknown {
  if (!isRecord(raw)) {
    throw new ValidationError('The tool input must be a JSON object.', {
      issues: [{ path: '', message: 'Send a JSON object, e.g. {}.' }],
    });
  }
  const result = inputSchemaOf(tool).safeParse(raw, { reportInput: true });
  if (!result.success) throw invalidInput(tool.name, result.error);
  return result.data;
}
