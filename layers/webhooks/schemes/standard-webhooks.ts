import { ConfigurationError } from '../../errors/index.ts';
import {
  concatBytes,
  decodeDigest,
  malformed,
  optionalHeader,
  parseUnixTime,
  requireHeader,
  type SignedDelivery,
} from '../signed-delivery.ts';
import type { WebhookRequest } from '../types.ts';

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The specification's window, into the past and the future. */
const TOLERANCE_SECONDS = 300;

/** `webhook-` headers, or `svix-` ones when the sender is Svix with its own brand. */
function headerFamily(request: WebhookRequest): 'webhook' | 'svix' {
  return optionalHeader(request, 'webhook-signature') === undefined &&
    optionalHeader(request, 'svix-signature') !== undefined
    ? 'svix'
    : 'webhook';
}

/**
 * The HMAC key of a Standard Webhooks secret: the base64 after `whsec_` (the prefix is optional,
 * as in the reference libraries).
 *
 * @example
 * standardWebhooksKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'); // Buffer(24)
 */
export function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length === 0) {
    throw new ConfigurationError(
      'webhook_secret_invalid',
      'A Standard Webhooks signing secret is not whsec_ followed by base64: copy it again from the sender.',
    );
  }
  return key;
}

/**
 * Standard Webhooks (and Svix): an HMAC-SHA256 (base64) of `${id}.${timestamp}.${body}` keyed
 * with the base64-decoded secret; `webhook-signature` lists `v1,<base64>` entries separated by
 * spaces, one per active secret. `webhook-id` names the message (retries keep it).
 *
 * @example
 * // webhook-id: msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
 * // webhook-timestamp: 1674087231
 * // webhook-signature: v1,<44 base64 characters> v1,<44 base64 characters>
 * const delivery = readStandardWebhooks(request);
 */
export function readStandardWebhooks(request: WebhookRequest): SignedDelivery {
  const family = headerFamily(request);
  const sender = 'the Standard Webhooks sender';
  const id = requireHeader(request, `${family}-id`, sender);
  const timestamp = requireHeader(request, `${family}-timestamp`, sender);
  const list = requireHeader(request, `${family}-signature`, sender);
  const signatures: Buffer[] = [];
  for (const entry of list.split(' ')) {
    const [version, encoded] = entry.split(',');
    const signature =
      version === 'v1' && encoded !== undefined
        ? decodeDigest(encoded, 'base64', 'sha256')
        : undefined;
    if (signature) signatures.push(signature);
  }
  if (signatures.length === 0) {
    throw malformed(
      `${family}-signature`,
      'v1,<44 base64 characters>, several separated by spaces',
    );
  }
  const at = parseUnixTime(timestamp, 'seconds');
  if (!at) throw malformed(`${family}-timestamp`, 'a Unix time in seconds');
  return {
    header: `${family}-signature`,
    algorithm: 'sha256',
    content: concatBytes(id, '.', timestamp, '.', request.rawBody),
    signatures,
    timestamp: { at, header: `${family}-timestamp`, toleranceSeconds: TOLERANCE_SECONDS },
    key: standardWebhooksKey,
    signedId: () => id,
  };
}
