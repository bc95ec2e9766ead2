/**
 * PascalCase of a snake_case or lower-case id, for construct ids: `create_order` → `CreateOrder`.
 * Construct ids decide logical IDs, so this must not change for existing names.
 */
export const pascal = (name: string): string =>
  name.replace(/(^|[_-])([a-z])/g, (_match, _separator, letter: string) => letter.toUpperCase());
