/** The error envelope of DESIGN.md, referenced by every error answer. */
export const errorRef = { $ref: '#/components/schemas/Error' };

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input: one issue per field',
  401: 'Missing, invalid or expired bearer token',
  403: 'The caller may not use this',
  404: 'Not found',
  409: 'Conflict with the current state',
  410: 'The confirmation expired',
  413: 'Body over 256 KB',
  415: 'Body is not JSON',
  502: 'The business system refused or answered wrongly',
  503: 'The business system is unavailable; see Retry-After',
  504: 'The business system did not answer in time',
};

/**
 * OpenAPI responses in the error envelope, one per status.
 *
 * @example
 * responses: { 200: json(schema, 'The data'), ...errors(401, 403) }
 */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: ERROR_TEXT[status] ?? 'Error',
        content: { 'application/json': { schema: errorRef } },
      },
    ]),
  );

/** An OpenAPI JSON response or request body. */
export const json = (schema: unknown, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
