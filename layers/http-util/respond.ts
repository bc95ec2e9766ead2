import type { HttpResult } from '../http-util/api-gateway.ts';

/** A JSON response; `X-Request-Id` is added by the request-context middleware. */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
