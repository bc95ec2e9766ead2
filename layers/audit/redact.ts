/** Keys that are redacted wherever they appear, whatever a tool declares. */
const SENSITIVE_KEY = /pass(word)?|secret|token|api[-_]?key|authori[sz]ation|credential|cookie/i;

export const REDACTED = '[REDACTED]';

/**
 * Copies a value with sensitive keys and the declared dot paths replaced by `[REDACTED]`.
 *
 * @example
 * redact({ email: 'a@b.c', note: 'x' }, ['email']); // { email: '[REDACTED]', note: 'x' }
 */
export function redact(value: unknown, paths: readonly string[] = [], prefix = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, paths, prefix));
  if (value === null || typeof value !== 'object') return value;
  // An own-property copy: a caller's `__proto__` key is recorded, not made the copy's prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return [
        key,
        SENSITIVE_KEY.test(key) || paths.includes(path) ? REDACTED : redact(child, paths, path),
      ];
    }),
  );
}
