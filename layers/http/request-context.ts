import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { header } from '../http-util/api-gateway.ts';
import type { GatewayMiddleware, GatewayRequest } from './types.ts';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every call a request id (the caller's `X-Request-Id` when well-formed, else API Gateway's),
 * makes it the logger's correlation id, and returns it as `X-Request-Id` on every response.
 */
export function requestContext(options: {
  logger: Pick<Logger, 'setCorrelationId' | 'resetKeys'>;
}): GatewayMiddleware {
  const before = (request: GatewayRequest) => {
    const offered = header(request.event, 'x-request-id');
    const requestId =
      offered && CLIENT_REQUEST_ID.test(offered)
        ? offered
        : request.event.requestContext?.requestId || randomUUID();
    request.context.gateway = { requestId, startedAt: performance.now() };
    options.logger.resetKeys();
    options.logger.setCorrelationId(requestId);
  };
  const addHeader = (request: GatewayRequest) => {
    if (!request.response) return;
    request.response.headers = {
      ...request.response.headers,
      'x-request-id': request.context.gateway.requestId,
    };
  };
  return { before, after: addHeader, onError: addHeader };
}
