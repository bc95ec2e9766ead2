import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Caller } from '../auth/caller.ts';
import type { AppError } from '../errors/index.ts';
import type { HttpEvent, HttpResult } from '../http-util/api-gateway.ts';

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
