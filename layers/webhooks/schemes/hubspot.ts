import {
  concatBytes,
  decodeDigest,
  malformed,
  parseUnixTime,
  requireHeader,
  type SignedDelivery,
  toleranceOf,
} from '../signed-delivery.ts';
import type { WebhookRequest, WebhookScheme } from '../types.ts';

const HEADER = 'X-HubSpot-Signature-v3';
const TIMESTAMP_HEADER = 'X-HubSpot-Request-Timestamp';

/** The only escapes HubSpot's v3 recipe decodes in the URI; every other one stays as sent. */
const DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};
const ESCAPE = /%3A|%2F|%3F|%40|%21|%24|%27|%28|%29|%2A|%2C|%3B/g;

/**
 * The URI as HubSpot's v3 recipe signs it: the full URL it called, with the escapes of its table
 * (`%3A` `%2F` `%3F` `%40` `%21` `%24` `%27` `%28` `%29` `%2A` `%2C` `%3B`) decoded.
 *
 * @example
 * hubSpotSignedUri('https://x.example/hook?from=a%40b.com%2Cc'); // 'https://x.example/hook?from=a@b.com,c'
 */
export function hubSpotSignedUri(url: string): string {
  return url.replace(ESCAPE, (encoded) => DECODED_ESCAPES[encoded] ?? encoded);
}

/**
 * HubSpot v3: an HMAC-SHA256 (base64) of `${method}${uri}${body}${X-HubSpot-Request-Timestamp}`
 * keyed with the app's client secret, the timestamp in Unix milliseconds. Event ids are in the
 * body (an array of events), which is left to the caller.
 *
 * @example
 * // X-HubSpot-Request-Timestamp: 1700000000000
 * // X-HubSpot-Signature-v3: <44 base64 characters>
 * const delivery = readHubSpotV3({ type: 'hubspot-v3' }, request);
 */
export function readHubSpotV3(
  scheme: Extract<WebhookScheme, { type: 'hubspot-v3' }>,
  request: WebhookRequest,
): SignedDelivery {
  const signature = decodeDigest(requireHeader(request, HEADER, 'HubSpot'), 'base64', 'sha256');
  const timestamp = requireHeader(request, TIMESTAMP_HEADER, 'HubSpot');
  if (!signature) throw malformed(HEADER, 'a base64 HMAC-SHA256 of 44 characters');
  const at = parseUnixTime(timestamp, 'milliseconds');
  if (!at) throw malformed(TIMESTAMP_HEADER, 'a Unix time in milliseconds');
  return {
    header: HEADER,
    algorithm: 'sha256',
    content: concatBytes(
      request.method.toUpperCase(),
      hubSpotSignedUri(request.url),
      request.rawBody,
      timestamp,
    ),
    signatures: [signature],
    timestamp: {
      at,
      header: TIMESTAMP_HEADER,
      toleranceSeconds: toleranceOf(scheme.toleranceSeconds),
    },
    signedId: () => undefined,
    mismatchHint:
      ' (HubSpot also signs the method and the full URL it called: pass the public https URL, query string included)',
  };
}
