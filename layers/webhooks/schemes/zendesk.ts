import {
  concatBytes,
  decodeDigest,
  malformed,
  requireHeader,
  type SignedDelivery,
  toleranceOf,
} from '../signed-delivery.ts';
import type { WebhookRequest, WebhookScheme } from '../types.ts';

const HEADER = 'X-Zendesk-Webhook-Signature';
const TIMESTAMP_HEADER = 'X-Zendesk-Webhook-Signature-Timestamp';
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Zendesk: an HMAC-SHA256 (base64) of `${X-Zendesk-Webhook-Signature-Timestamp}${body}` keyed
 * with the webhook's signing secret; the timestamp is ISO 8601. Zendesk does not sign
 * `X-Zendesk-Webhook-Invocation-Id`, so it is no signed id; event webhooks carry their `id` in the
 * body, which is left to the caller.
 *
 * @example
 * // X-Zendesk-Webhook-Signature-Timestamp: 2021-03-25T05:09:27Z
 * // X-Zendesk-Webhook-Signature: EiqWE3SXTPQpPulBV6OSuuGziIishZNc1VwNZYqZrHU=
 * const delivery = readZendesk({ type: 'zendesk' }, request);
 */
export function readZendesk(
  scheme: Extract<WebhookScheme, { type: 'zendesk' }>,
  request: WebhookRequest,
): SignedDelivery {
  const signature = decodeDigest(requireHeader(request, HEADER, 'Zendesk'), 'base64', 'sha256');
  const timestamp = requireHeader(request, TIMESTAMP_HEADER, 'Zendesk');
  if (!signature) throw malformed(HEADER, 'a base64 HMAC-SHA256 of 44 characters');
  const at = ISO_8601.test(timestamp) ? new Date(timestamp) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw malformed(TIMESTAMP_HEADER, 'an ISO 8601 time such as 2021-03-25T05:09:27Z');
  }
  return {
    header: HEADER,
    algorithm: 'sha256',
    content: concatBytes(timestamp, request.rawBody),
    signatures: [signature],
    timestamp: {
      at,
      header: TIMESTAMP_HEADER,
      toleranceSeconds: toleranceOf(scheme.toleranceSeconds),
    },
    signedId: () => undefined,
  };
}
