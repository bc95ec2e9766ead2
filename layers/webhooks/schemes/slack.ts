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

const HEADER = 'X-Slack-Signature';
const TIMESTAMP_HEADER = 'X-Slack-Request-Timestamp';
const PREFIX = 'v0=';

/**
 * Slack: an HMAC-SHA256 (hex) of `v0:${X-Slack-Request-Timestamp}:${body}` keyed with the app's
 * signing secret. The delivery id is the Events API `event_id` in a JSON body (slash commands and
 * interactivity send a form body, which has none).
 *
 * @example
 * // X-Slack-Request-Timestamp: 1531420618
 * // X-Slack-Signature: v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503
 * const delivery = readSlack({ type: 'slack' }, request);
 */
export function readSlack(
  scheme: Extract<WebhookScheme, { type: 'slack' }>,
  request: WebhookRequest,
): SignedDelivery {
  const header = requireHeader(request, HEADER, 'Slack');
  const timestamp = requireHeader(request, TIMESTAMP_HEADER, 'Slack');
  const signature = header.startsWith(PREFIX)
    ? decodeDigest(header.slice(PREFIX.length), 'hex', 'sha256')
    : undefined;
  if (!signature) throw malformed(HEADER, `${PREFIX}<64 hex characters>`);
  const at = parseUnixTime(timestamp, 'seconds');
  if (!at) throw malformed(TIMESTAMP_HEADER, 'a Unix time in seconds');
  return {
    header: HEADER,
    algorithm: 'sha256',
    content: concatBytes('v0:', timestamp, ':', request.rawBody),
    signatures: [signature],
    timestamp: {
      at,
      header: TIMESTAMP_HEADER,
      toleranceSeconds: toleranceOf(scheme.toleranceSeconds),
    },
    signedId: () => jsonStringField(request.rawBody, 'event_id'),
  };
}
