import { decodeDigest, malformed, requireHeader, type SignedDelivery } from '../signed-delivery.ts';
import type { WebhookRequest } from '../types.ts';

const HEADER = 'X-Hub-Signature-256';
const PREFIX = 'sha256=';

/**
 * GitHub: an HMAC-SHA256 (hex) of the body, sent when the webhook has a secret. The SHA-1
 * `X-Hub-Signature` is not accepted. GitHub signs no timestamp, and not `X-GitHub-Delivery`
 * either, so that header is no signed id: a replay could carry any.
 *
 * @example
 * // X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
 * const delivery = readGitHub(request);
 */
export function readGitHub(request: WebhookRequest): SignedDelivery {
  const header = requireHeader(request, HEADER, 'GitHub');
  const signature = header.startsWith(PREFIX)
    ? decodeDigest(header.slice(PREFIX.length), 'hex', 'sha256')
    : undefined;
  if (!signature) throw malformed(HEADER, `${PREFIX}<64 hex characters>`);
  return {
    header: HEADER,
    algorithm: 'sha256',
    content: request.rawBody,
    signatures: [signature],
    signedId: () => undefined,
  };
}
