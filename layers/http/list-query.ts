import * as z from 'zod';
import { describeIssues } from '../core/validate-input.ts';
import { inputDigest } from '../digest/input-digest.ts';
import { InvalidQueryError } from '../errors/index.ts';

const instant = z.iso
  .datetime({ offset: true, message: 'Write it as ISO 8601, e.g. 2026-12-01T10:00:00Z' })
  .transform((value) => new Date(value).toISOString());

/** The paging and time parameters every list route takes besides its filters. */
const paging = {
  from: instant.optional(),
  to: instant.optional(),
  cursor: z.string().min(1).max(2_000).optional(),
  limit: z.coerce
    .number({ message: 'Must be a whole number from 1 to 100' })
    .int('Must be a whole number from 1 to 100')
    .min(1, 'Must be a whole number from 1 to 100')
    .max(100, 'Must be a whole number from 1 to 100')
    .default(25),
};

export type ListQuery<F extends z.ZodRawShape> = z.output<z.ZodObject<F>> & {
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
};

/**
 * A list route's query string, checked: its own `filters`, plus `from`/`to` (ISO 8601, from ≤ to),
 * `cursor` and `limit` (1..100, default 25). Unknown parameters are refused by name, so a typo never
 * silently lists everything. Throws 400 `invalid_input` with one issue per parameter.
 *
 * @example
 * const query = parseListQuery(event.queryStringParameters, { source: z.string().optional() });
 */
export function parseListQuery<F extends z.ZodRawShape>(
  parameters: Readonly<Record<string, string | undefined>> | undefined,
  filters: F,
): ListQuery<F> {
  const schema = z.strictObject({ ...filters, ...paging }).refine(
    (query) => {
      const { from, to } = query as { from?: string; to?: string };
      return !from || !to || from <= to;
    },
    {
      message: '`from` must not be after `to`',
      path: ['from'],
    },
  );
  const parsed = schema.safeParse(parameters ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw new InvalidQueryError(
      'invalid_input',
      'The query is invalid. Fix the listed parameters.',
      describeIssues(parsed.error),
    );
  }
  return parsed.data as ListQuery<F>;
}

/** The filters a cursor belongs to: everything but `cursor` and `limit`. */
const filtersOf = (query: Record<string, unknown>): string => {
  const { cursor: _cursor, limit: _limit, ...filters } = query;
  return inputDigest(filters).slice(0, 16);
};

/**
 * An opaque cursor: the store's `LastEvaluatedKey` and the filters it was made for, base64url.
 *
 * @example
 * const cursor = page.lastKey && encodeCursor(page.lastKey, query);
 */
export function encodeCursor(
  lastKey: Readonly<Record<string, unknown>>,
  query: Record<string, unknown>,
): string {
  return Buffer.from(JSON.stringify({ k: lastKey, f: filtersOf(query) })).toString('base64url');
}

/**
 * The key a cursor holds, when it decodes, was made for the same filters and has exactly
 * `keyNames`, each a string or number; else 400 `invalid_cursor` naming `cursor`.
 */
export function decodeCursor(
  cursor: string,
  query: Record<string, unknown>,
  keyNames: readonly string[],
): Record<string, string | number> {
  const refuse = (why: string) =>
    new InvalidQueryError('invalid_cursor', `The cursor cannot be used: ${why}.`, [
      {
        path: 'cursor',
        message: `${why}: pass back the cursor of the previous page unchanged, with the same filters, or leave it out to start over.`,
      },
    ]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('it is not a cursor this route handed out');
  }
  const { k: key, f: filters } = (decoded ?? {}) as { k?: unknown; f?: unknown };
  const valid =
    typeof key === 'object' &&
    key !== null &&
    Object.keys(key).sort().join() === [...keyNames].sort().join() &&
    Object.values(key).every((value) => typeof value === 'string' || typeof value === 'number');
  if (!valid) throw refuse('it is not a cursor this route handed out');
  if (filters !== filtersOf(query)) throw refuse('it was made for other filters');
  return key as Record<string, string | number>;
}
