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
