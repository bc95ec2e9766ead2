import type { MiddlewareObj, Request } from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Caller } from '../auth/caller.ts';
import type { AppError } from '../errors/index.ts';

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

/** What the middlewares learn about a call, for the handler and the audit record. */
export interface CallState {
  requestId: string;
  startedAt: number;
  caller?: Caller;
  /** What the call asked for, for its audit record (tool calls: the core records their input). */
  input?: unknown;
  /** The error the call was answered with, as the error envelope decided it. */
  error?: AppError;
  /** The tool-call core wrote this call's audit record: the audit middleware must not. */
  audited?: boolean;
}

export type GatewayContext = Context & { gateway: CallState };
export type GatewayRequest = Request<HttpEvent, HttpResult, Error, GatewayContext>;
export type GatewayMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, GatewayContext>;

export const header = (event: HttpEvent, name: string): string | undefined =>
  event.headers?.[name.toLowerCase()] ?? undefined;
