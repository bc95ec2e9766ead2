import httpJsonBodyParser from '@middy/http-json-body-parser';
import { PayloadTooLargeError } from '../errors/index.ts';
import type { GatewayMiddleware, GatewayRequest } from './types.ts';

/** @default 256 KiB */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/**
 * JSON body parsing with a size limit: over the limit 413, not JSON 415, malformed 400
 * (`invalid_json`, mapped by the error envelope). An empty body is an empty object, so tools
 * without input can be called without one.
 */
export function jsonBody(options: { maxBytes?: number } = {}): GatewayMiddleware {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const parser = httpJsonBodyParser();
  const before = (request: GatewayRequest) => {
    const { body, isBase64Encoded } = request.event;
    if (body === undefined || body === null || body === '') {
      request.event.body = {};
      return;
    }
    if (typeof body !== 'string') return;
    const bytes = isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body);
    if (bytes > maxBytes) {
      throw new PayloadTooLargeError(
        `The request body is ${bytes} bytes; the limit is ${maxBytes}. Send less data, e.g. fewer items per call.`,
      );
    }
    return parser.before?.(request as never);
  };
  return { before };
}
