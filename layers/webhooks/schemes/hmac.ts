import { ConfigurationError } from '../../errors/index.ts';
import {
  concatBytes,
  decodeDigest,
  digestShape,
  malformed,
  optionalHeader,
  parseUnixTime,
  requireHeader,
  type SignedDelivery,
  type SignedTimestamp,
  toleranceOf,
} from '../signed-delivery.ts';
import type { WebhookRequest, WebhookScheme } from '../types.ts';

/**
 * Any sender that puts one HMAC of the body, or of `${timestamp}.${body}`, in one header. A
 * `timestampHeader` (Unix seconds) is checked against the tolerance; only with `timestamp.body`
 * is it also covered by the signature.
 *
 * @example
 * // X-Signature: sha256=<64 hex characters>
 * const delivery = readHmac(
 *   { type: 'hmac', header: 'X-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
 *   request,
 * );
 */
export function readHmac(
  scheme: Extract<WebhookScheme, { type: 'hmac' }>,
  request: WebhookRequest,
): SignedDelivery {
  const signsTimestamp = scheme.signedContent === 'timestamp.body';
  if (signsTimestamp && scheme.timestampHeader === undefined) {
    throw new ConfigurationError(
      'webhook_scheme_invalid',
      `The hmac webhook scheme for ${scheme.header} signs 'timestamp.body' but names no timestampHeader.`,
    );
  }
  const sender = 'the sender';
  const prefix = scheme.prefix ?? '';
  const header = requireHeader(request, scheme.header, sender);
  const signature = header.startsWith(prefix)
    ? decodeDigest(header.slice(prefix.length), scheme.encoding, scheme.algorithm)
    : undefined;
  if (!signature) {
    throw malformed(scheme.header, `${prefix}<${digestShape(scheme.encoding, scheme.algorithm)}>`);
  }
  let timestamp: SignedTimestamp | undefined;
  let timestampText = '';
  if (scheme.timestampHeader !== undefined) {
    timestampText = requireHeader(request, scheme.timestampHeader, sender);
    const at = parseUnixTime(timestampText, 'seconds');
    if (!at) throw malformed(scheme.timestampHeader, 'a Unix time in seconds');
    timestamp = {
      at,
      header: scheme.timestampHeader,
      toleranceSeconds: toleranceOf(scheme.toleranceSeconds),
    };
  }
  const { deliveryIdHeader } = scheme;
  return {
    header: scheme.header,
    algorithm: scheme.algorithm,
    content: signsTimestamp ? concatBytes(timestampText, '.', request.rawBody) : request.rawBody,
    signatures: [signature],
    ...(timestamp ? { timestamp } : {}),
    deliveryId: () =>
      deliveryIdHeader === undefined ? undefined : optionalHeader(request, deliveryIdHeader),
  };
}
