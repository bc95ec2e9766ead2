/**
 * A list page's filters: the same values live in the page's address (what the person typed, so a
 * search can be bookmarked, shared and gone back to) and in the API's query string (times as
 * ISO-8601, empty fields left out).
 */
export type Filters<K extends string> = Partial<Record<K, string>>;

/**
 * The filters named `fields` in a query string, trimmed; empty ones and any other parameter left out.
 *
 * @example
 * filtersOf('?status=failed&tool=&x=1', ['status', 'tool']); // { status: 'failed' }
 */
export function filtersOf<K extends string>(search: string, fields: readonly K[]): Filters<K> {
  const params = new URLSearchParams(search);
  const filters: Filters<K> = {};
  for (const field of fields) {
    const value = params.get(field)?.trim();
    if (value) filters[field] = value;
  }
  return filters;
}

/**
 * A query string (`?a=1&b=2`, or `''` when nothing is set) of the filters in the order of
 * `fields`, empty values left out, then `extra` (a cursor, a limit).
 *
 * @example
 * queryOf({ tool: 'create_order', status: '' }, ['status', 'tool']); // '?tool=create_order'
 */
export function queryOf<K extends string>(
  filters: Filters<K>,
  fields: readonly K[],
  extra: Readonly<Record<string, string | number | undefined>> = {},
): string {
  const params = new URLSearchParams();
  for (const field of fields) {
    const value = filters[field]?.trim();
    if (value) params.set(field, value);
  }
  for (const [name, value] of Object.entries(extra))
    if (value !== undefined && value !== '') params.set(name, String(value));
  const query = params.toString();
  return query ? `?${query}` : '';
}

/**
 * A `datetime-local` field's value (the person's own time zone, no offset) as ISO-8601 in UTC, for
 * the API's `from` and `to`. A value that is no time is passed on as it is, so the gateway's 400
 * names the field.
 *
 * @example
 * isoOf('2026-12-02T15:30'); // '2026-12-02T14:30:00.000Z' in Berlin
 */
export function isoOf(local: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(local)) return local;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/**
 * The API's query string of a page's filters: the fields named in `times` turned into ISO-8601.
 *
 * @example
 * apiQueryOf({ from: '2026-12-02T15:30', tool: 'x' }, ['tool', 'from'], ['from'], { limit: 50 });
 * // '?tool=x&from=2026-12-02T14%3A30%3A00.000Z&limit=50' in Berlin
 */
export function apiQueryOf<K extends string>(
  filters: Filters<K>,
  fields: readonly K[],
  times: readonly K[],
  extra: Readonly<Record<string, string | number | undefined>> = {},
): string {
  const converted: Filters<K> = { ...filters };
  for (const field of times) {
    const value = filters[field]?.trim();
    if (value) converted[field] = isoOf(value);
  }
  return queryOf(converted, fields, extra);
}
