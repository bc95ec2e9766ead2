/**
 * CSV as RFC 4180 reads it (CRLF between rows, fields with a quote, comma or line break quoted,
 * quotes doubled), safe to open in a spreadsheet: a text cell that begins with `=`, `+`, `-` or
 * `@` (or a tab or carriage return, which some spreadsheets skip before reading a formula) gets a
 * leading `'`, so it is read as text, never run as a formula (OWASP, "CSV Injection"). Audit
 * records hold what agents and people typed: any of it may be such a formula.
 */
const FORMULA = /^[=+\-@\t\r]/;

/**
 * One field. Numbers and booleans as they are (the gateway's own, never a formula), text guarded
 * and quoted where needed, anything else as JSON, then guarded and quoted like text.
 *
 * @example
 * csvCell('=HYPERLINK("http://x")'); // '"\'=HYPERLINK(""http://x"")"'
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export interface CsvColumn<T> {
  readonly header: string;
  readonly value: (row: T) => unknown;
}

/**
 * A header row and one row per item, CRLF after each.
 *
 * @example
 * toCsv([{ a: 1 }], [{ header: 'a', value: (row) => row.a }]); // 'a\r\n1\r\n'
 */
export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  const line = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;
  return (
    line(columns.map((column) => column.header)) +
    rows.map((row) => line(columns.map((column) => column.value(row)))).join('')
  );
}

/**
 * Every page of a list, following the cursor, up to `max` items: what an export holds.
 * `truncated` says there was more than `max`.
 */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: readonly T[]; cursor?: string }>,
  max: number,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    items.push(...next.items);
    cursor = next.cursor;
  } while (cursor && items.length < max);
  return { items: items.slice(0, max), truncated: items.length > max || cursor !== undefined };
}
