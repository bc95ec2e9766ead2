import type { Logger } from '@aws-lambda-powertools/logger';
import { type ErrorEnvelope, toEnvelope } from '../errors/envelope.ts';
import {
  AppError,
  InvalidJsonError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors/index.ts';
import { json } from '../http-util/respond.ts';
import { logFailure } from '../observability/log-failure.ts';
import type { GatewayMiddleware, GatewayRequest } from './types.ts';

/** Middy's own HTTP errors (body parser) carry a statusCode; map the ones we can meet. */
function fromMiddy(error: Error): AppError | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status === 415) {
    return new UnsupportedMediaTypeError(
      'Send the tool input as JSON with "Content-Type: application/json".',
    );
  }
  if (status === 422 || status === 400) {
    return new InvalidJsonError(
      'The request body is not valid JSON. Send a JSON object with the tool input, e.g. {"customerId":"C-00001"}.',
    );
  }
  if (status === 413) return new PayloadTooLargeError('The request body is too large.');
  return undefined;
}

/** The response for an error: its status, the envelope and its headers (Retry-After). */
export function errorResponse(error: AppError) {
  const headers: Record<string, string> = { ...error.headers };
  if (error.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  }
  return json(error.statusCode, toEnvelope(error), headers);
}

/**
 * Turns any error into the envelope with the right status. Unknown errors become a logged, generic
 * 500 that names the request id; nothing of the original message leaves the gateway.
 */
export function errorEnvelope(options: {
  logger: Pick<Logger, 'error' | 'warn'>;
}): GatewayMiddleware {
  const onError = (request: GatewayRequest) => {
    const raw = request.error;
    const error = raw instanceof AppError ? raw : raw ? fromMiddy(raw) : undefined;
    if (!error) {
      options.logger.error('unhandled error', { error: raw });
      const requestId = request.context.gateway?.requestId ?? 'unknown';
      request.response = json(500, {
        error: {
          code: 'internal_error',
          category: 'internal',
          message: `The gateway failed unexpectedly. This is a bug; report request id ${requestId}. Retrying may not help.`,
          retryable: false,
        },
      } satisfies ErrorEnvelope);
      return;
    }
    logFailure(options.logger, error);
    if (request.context.gateway) request.context.gateway.error = error;
    request.response = errorResponse(error);
  };
  return { onError };
}
