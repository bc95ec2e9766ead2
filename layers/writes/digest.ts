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
 * SHA-256 of the canonical JSON: binds a confirmation to the exact input it previewed.
 *
 * @example
 * inputDigest({ b: 1, a: 2 }) === inputDigest({ a: 2, b: 1 }); // true
 */
export function inputDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** The operation id a confirmation leads to: derived, so a retried confirmation finds the same one. */
export function operationIdFor(confirmationId: string): string {
  return `op_${createHash('sha256').update(`operation:${confirmationId}`).digest('hex').slice(0, 32)}`;
}
