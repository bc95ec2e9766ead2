import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal inputs serialise equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 of the canonical JSON: equal inputs get one digest whatever their key order, so a
 * confirmation binds to the exact input it previewed and caches key on what a call asked.
 *
 * @example
 * inputDigest({ b: 1, a: 2 }) === inputDigest({ a: 2, b: 1 }); // true
 */
export function inputDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
