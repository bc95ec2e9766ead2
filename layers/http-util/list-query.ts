import * as z from 'zod';
import { InvalidQueryError } from '../errors/index.ts';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO-8601 date or date-time (with `Z` or an offset), normalised to UTC `toISOString()`. */
export const isoTime = z
  .string()
  .refine(
    (value) => ISO_TIME.test(value) && Number.isFinite(Date.parse(value)),
    'must be an ISO-8601 date or date-time, e.g. 2026-12-01T09:30:00Z',
  )
  .transform((value) => new Date(value).toISOString());

/**
 * The query parameters every list shares: `limit` (1..100, default 25), an opaque `cursor`, and a
 * time range `from`..`to` (inclusive).
 */
export const listQueryFields = {
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'))
    .default(25),
  cursor: z.string().min(1).max(4096).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
};

/**
 * Parses a list's query string: 400 `invalid_input` naming every bad or unknown parameter, and
 * `from` when it is after `to`.
 *
 * @example
 * const query = parseListQuery(z.strictObject({ ...listQueryFields, tool: z.string().optional() }), event.queryStringParameters);
 */
export function parseListQuery<
  S extends z.ZodType<{ from?: string | undefined; to?: string | undefined }>,
>(
  schema: S,
  parameters: Readonly<Record<string, string | undefined>> | null | undefined,
): z.output<S> {
  const parsed = schema.safeParse(parameters ?? {});
  const issues = parsed.success
    ? []
    : parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: key, message: 'is not a parameter of this list' }))
          : [{ path: issue.path.join('.'), message: issue.message }],
      );
  if (parsed.success && parsed.data.from && parsed.data.to && parsed.data.from > parsed.data.to)
    issues.push({ path: 'from', message: `must not be after to (${parsed.data.to})` });
  if (issues.length > 0 || !parsed.success) {
    throw new InvalidQueryError(
      'invalid_input',
      `The query is invalid: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}.`,
      issues,
    );
  }
  return parsed.data;
}
