import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** API Gateway HTTP API (payload 2.0) event; `authorizer.jwt` is present behind the JWT authorizer. */
export type HttpEvent = Omit<APIGatewayProxyEventV2, 'body' | 'requestContext'> & {
  body?: unknown;
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims: Record<string, unknown>; scopes?: string[] | null } };
  };
};

export type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

/** A request header by name in any case: API Gateway (and the header normalizer) lower-case them. */
export const header = (event: HttpEvent, name: string): string | undefined =>
  event.headers?.[name.toLowerCase()] ?? undefined;

/**
 * The request's bearer token, if it carries one: the subject token of a token exchange. It is
 * verified before a handler runs (API Gateway's JWT authorizer, or the authenticate middleware).
 *
 * @example
 * bearerTokenOf(event); // 'eyJhbGciOi…'
 */
export const bearerTokenOf = (event: HttpEvent): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(header(event, 'authorization')?.trim() ?? '')?.[1];

/**
 * The gateway's public base URL: `configured` (PUBLIC_BASE_URL) when set, else the scheme and host
 * the request came in on (API Gateway sets `x-forwarded-proto`; local mode is plain HTTP).
 *
 * @example
 * requestBaseUrl(event, undefined); // 'https://abc.execute-api.eu-west-1.amazonaws.com'
 */
export function requestBaseUrl(
  event: Pick<HttpEvent, 'headers' | 'requestContext'>,
  configured: string | undefined,
): string {
  if (configured) return configured.replace(/\/$/, '');
  const domain = event.requestContext.domainName;
  const proto =
    event.headers?.['x-forwarded-proto'] ??
    (domain.startsWith('127.') || domain.startsWith('localhost') ? 'http' : 'https');
  return `${proto}://${event.headers?.host ?? domain}`;
}
