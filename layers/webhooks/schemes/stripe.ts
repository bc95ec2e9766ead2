import {
  concatBytes,
  decodeDigest,
  jsonStringField,
  malformed,
  parseUnixTime,
  requireHeader,
  type SignedDelivery,
  toleranceOf,
} from '../signed-delivery.ts';
import type { WebhookRequest, WebhookScheme } from '../types.ts';

const HEADER = 'Stripe-Signature';

/**
 * Stripe: an HMAC-SHA256 (hex) of `${t}.${body}` keyed with the endpoint's `whsec_…` secret as
 * text. While a secret is being rolled Stripe sends one `v1` per secret; other schemes (`v0`) are
 * ignored. The delivery id is the event's `id` in the body.
 *
 * @example
 * // Stripe-Signature: t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
 * const delivery = readStripe({ type: 'stripe' }, request);
 */
export function readStripe(
  scheme: Extract<WebhookScheme, { type: 'stripe' }>,
  request: WebhookRequest,
): SignedDelivery {
  const header = requireHeader(request, HEADER, 'Stripe');
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) continue;
    const name = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (name === 't') timestamp = value;
    if (name === 'v1') {
      const signature = decodeDigest(value, 'hex', 'sha256');
      if (signature) signatures.push(signature);
    }
  }
  const at = timestamp === undefined ? undefined : parseUnixTime(timestamp, 'seconds');
  if (timestamp === undefined || at === undefined || signatures.length === 0) {
    throw malformed(HEADER, 't=<Unix seconds>,v1=<64 hex characters>, with one or more v1 entries');
  }
  return {
    header: HEADER,
    algorithm: 'sha256',
    content: concatBytes(timestamp, '.', request.rawBody),
    signatures,
    timestamp: { at, header: HEADER, toleranceSeconds: toleranceOf(scheme.toleranceSeconds) },
    signedId: () => jsonStringField(request.rawBody, 'id'),
  };
}
