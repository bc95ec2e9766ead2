import { ConfigurationError } from '../../errors/index.ts';
import {
  concatBytes,
  decodeDigest,
  digestShape,
  malformed,
  parseUnixTime,
  requireHeader,
  type SignedDelivery,
  type SignedTimestamp,
  toleranceOf,
} from '../signed-delivery.ts';
import type { WebhookRequest, WebhookScheme } from '../types.ts';

/** Letters, digits, `-`, `_`, `:`: no `.`, so `${id}.${timestamp}.${body}` splits one way only. */
const DELIVERY_ID = /^[A-Za-z0-9_:-]{1,200}$/;

function invalid(scheme: Extract<WebhookScheme, { type: 'hmac' }>, problem: string) {
  return new ConfigurationError(
    'webhook_scheme_invalid',
    `The hmac webhook scheme for ${scheme.header} ${problem}.`,
  );
}

/**
 * Any sender that puts one HMAC of the body, of `${timestamp}.${body}` or of
 * `${deliveryId}.${timestamp}.${body}` in one header. A `timestampHeader` (Unix seconds) is
 * checked against the tolerance; it is covered by the signature with `timestamp.body` and
 * `id.timestamp.body`. A delivery id is taken only when signed (`id.timestamp.body`): one in an
 * unsigned header would make a captured delivery new again under a fresh id.
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
  const signedContent = scheme.signedContent ?? 'body';
  const { deliveryIdHeader, timestampHeader } = scheme;
  if (signedContent !== 'body' && timestampHeader === undefined) {
    throw invalid(scheme, `signs '${signedContent}' but names no timestampHeader`);
  }
  if (signedContent === 'id.timestamp.body' && deliveryIdHeader === undefined) {
    throw invalid(scheme, "signs 'id.timestamp.body' but names no deliveryIdHeader");
  }
  if (signedContent !== 'id.timestamp.body' && deliveryIdHeader !== undefined) {
    throw invalid(
      scheme,
      `names the deliveryIdHeader ${deliveryIdHeader} without signing it: use signedContent 'id.timestamp.body', or drop the header (deliveries are then de-duplicated on their body)`,
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
  if (timestampHeader !== undefined) {
    timestampText = requireHeader(request, timestampHeader, sender);
    const at = parseUnixTime(timestampText, 'seconds');
    if (!at) throw malformed(timestampHeader, 'a Unix time in seconds');
    timestamp = {
      at,
      header: timestampHeader,
      toleranceSeconds: toleranceOf(scheme.toleranceSeconds),
    };
  }
  let deliveryId: string | undefined;
  if (deliveryIdHeader !== undefined) {
    deliveryId = requireHeader(request, deliveryIdHeader, sender);
    if (!DELIVERY_ID.test(deliveryId)) {
      throw malformed(deliveryIdHeader, "up to 200 letters, digits, '-', '_' or ':'");
    }
  }
  const content =
    signedContent === 'body'
      ? request.rawBody
      : signedContent === 'timestamp.body'
        ? concatBytes(timestampText, '.', request.rawBody)
        : concatBytes(deliveryId ?? '', '.', timestampText, '.', request.rawBody);
  return {
    header: scheme.header,
    algorithm: scheme.algorithm,
    content,
    signatures: [signature],
    ...(timestamp ? { timestamp } : {}),
    signedId: () => deliveryId,
  };
}
