import { decodeDigest, malformed, requireHeader, type SignedDelivery } from '../signed-delivery.ts';
import type { WebhookRequest } from '../types.ts';

const HEADER = 'X-Shopify-Hmac-Sha256';

/**
 * Shopify: an HMAC-SHA256 (base64) of the body keyed with the app's client secret. Shopify signs
 * no timestamp, and neither `X-Shopify-Event-Id` nor `X-Shopify-Webhook-Id` (Shopify's advice for
 * spotting duplicates), so neither is a signed id: a replay could carry any.
 *
 * @example
 * // X-Shopify-Hmac-Sha256: <44 base64 characters>
 * const delivery = readShopify(request);
 */
export function readShopify(request: WebhookRequest): SignedDelivery {
  const signature = decodeDigest(requireHeader(request, HEADER, 'Shopify'), 'base64', 'sha256');
  if (!signature) throw malformed(HEADER, 'a base64 HMAC-SHA256 of 44 characters');
  return {
    header: HEADER,
    algorithm: 'sha256',
    content: request.rawBody,
    signatures: [signature],
    signedId: () => undefined,
  };
}
