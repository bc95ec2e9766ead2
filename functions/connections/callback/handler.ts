import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { connectionCallbackRole } from '#layers/composition/roles.ts';
import { auditTrail } from '#layers/http/audit-trail.ts';
import { errorEnvelope } from '#layers/http/error-envelope.ts';
import { requestContext } from '#layers/http/request-context.ts';
import type { GatewayContext } from '#layers/http/types.ts';
import type { HttpEvent, HttpResult } from '#layers/http-util/api-gateway.ts';
import { connectionCallback } from './callback.ts';

const deps = connectionCallbackRole(process.env);

/**
 * GET /connections/{system}/callback: no bearer token (the single-use state is the proof);
 * request id, audit, error envelope and lower-cased header names, in gatewayHandler's order.
 */
export const handler = middy<HttpEvent, HttpResult, Error, GatewayContext>(connectionCallback(deps))
  .use(requestContext({ logger: deps.logger }))
  .use(auditTrail({ auditor: deps.auditor }))
  .use(errorEnvelope({ logger: deps.logger }))
  .use(httpHeaderNormalizer());
