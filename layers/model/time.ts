import * as z from 'zod';

/** An instant in ISO 8601 UTC, e.g. `2026-03-04T10:22:00.000Z`. */
export const isoDateTime = () => z.iso.datetime({ offset: true });

/**
 * Converts the date formats business systems send into ISO 8601 UTC; `null`/empty stays `null`.
 * Accepts ISO 8601, epoch milliseconds (as number or digits) and `YYYY-MM-DD HH:mm:ss` (UTC).
 *
 * @example
 * toIso('2026-03-04 10:22:00'); // '2026-03-04T10:22:00.000Z'
 */
export function toIso(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  let date: Date;
  if (typeof value === 'number' || /^\d{10,}$/.test(value)) {
    date = new Date(Number(value));
  } else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(value)) {
    date = new Date(`${value.replace(' ', 'T')}Z`);
  } else {
    date = new Date(value);
  }
  if (Number.isNaN(date.getTime()))
    throw new Error(`Unrecognised date: ${String(value).slice(0, 40)}`);
  return date.toISOString();
}

/** Number from a decimal string or number; `null` for missing or empty. */
export function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number))
    throw new Error(`Unrecognised number: ${String(value).slice(0, 40)}`);
  return number;
}

/** A vendor date (any format `toIso` knows) checked and converted at the connector boundary. */
export const vendorDate = z
  .union([z.string(), z.number()])
  .nullable()
  .optional()
  .transform((value, ctx) => {
    try {
      return toIso(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'unrecognised date' });
      return z.NEVER;
    }
  });

/** A vendor number or decimal string converted at the boundary; `null` when absent. */
export const vendorNumber = z
  .union([z.string(), z.number()])
  .nullable()
  .optional()
  .transform((value, ctx) => {
    try {
      return toNumber(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'unrecognised number' });
      return z.NEVER;
    }
  });
