import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from '../errors/index.ts';
import { WebhookSignatureError } from './errors.ts';
import { readGitHub } from './schemes/github.ts';
import { readHmac } from './schemes/hmac.ts';
import { readHubSpotV3 } from './schemes/hubspot.ts';
import { readShopify } from './schemes/shopify.ts';
import { readSlack } from './schemes/slack.ts';
import { readStandardWebhooks } from './schemes/standard-webhooks.ts';
import { readStripe } from './schemes/stripe.ts';
import { readZendesk } from './schemes/zendesk.ts';
import type { SignedDelivery, SignedTimestamp } from './signed-delivery.ts';
import type { VerifiedDelivery, WebhookRequest, WebhookScheme } from './types.ts';

export type { HmacAlgorithm, VerifiedDelivery, WebhookRequest, WebhookScheme } from './types.ts';

/**
 * Checks that a webhook delivery was signed by its sender, over the exact bytes received, with
 * one of the configured secrets, and (for schemes that sign a time) that it was signed within the
 * tolerance of `now`, into the past or the future. Nothing but `node:crypto` is used.
 *
 * @param secrets The current secret first, then any previous one still valid while a secret is
 *   being rotated: any one verifying is enough.
 * @returns What de-duplication may key on (the sender's id when the signature covers it, and the
 *   body's digest), and the signed time when there is one.
 * @throws {WebhookSignatureError} 401 `invalid_signature`: a header missing or malformed, a time
 *   out of tolerance, or a signature that does not match. `reason` tells which.
 * @throws {ConfigurationError} When no secret is configured, or the scheme is inconsistent.
 *
 * @example
 * const { signedId, bodyDigest } = verifyWebhook(
 *   { type: 'stripe' },
 *   { method: 'POST', url: 'https://api.example.com/hooks/stripe', headers, rawBody },
 *   [currentSecret, previousSecret],
 * );
 * if (await seen(signedId ?? bodyDigest)) return; // a redelivery, or a replay
 */
export function verifyWebhook(
  scheme: WebhookScheme,
  request: WebhookRequest,
  secrets: readonly string[],
  now: Date = new Date(),
): VerifiedDelivery {
  if (secrets.length === 0 || secrets.some((secret) => secret.length === 0)) {
    throw new ConfigurationError(
      'webhook_secret_missing',
      `No signing secret is configured for this ${scheme.type} webhook: store the one the sender shows for the endpoint.`,
    );
  }
  const delivery = read(scheme, request);
  if (!secrets.some((secret) => matches(delivery, secret))) {
    throw new WebhookSignatureError(
      'signature_mismatch',
      `The ${delivery.header} signature does not match the body: check the signing secret and that the body is passed unmodified${delivery.mismatchHint ?? ''}.`,
    );
  }
  if (delivery.timestamp) checkFreshness(delivery.timestamp, now);
  return {
    signedId: delivery.signedId(),
    bodyDigest: createHash('sha256').update(request.rawBody).digest('hex'),
    ...(delivery.timestamp ? { timestamp: delivery.timestamp.at } : {}),
  };
}

function read(scheme: WebhookScheme, request: WebhookRequest): SignedDelivery {
  switch (scheme.type) {
    case 'stripe':
      return readStripe(scheme, request);
    case 'github':
      return readGitHub(request);
    case 'shopify':
      return readShopify(request);
    case 'slack':
      return readSlack(scheme, request);
    case 'hubspot-v3':
      return readHubSpotV3(scheme, request);
    case 'standard-webhooks':
      return readStandardWebhooks(request);
    case 'zendesk':
      return readZendesk(scheme, request);
    case 'hmac':
      return readHmac(scheme, request);
  }
}

/** Whether one received signature is the HMAC of the signed bytes under this secret. */
function matches(delivery: SignedDelivery, secret: string): boolean {
  const key = delivery.key ? delivery.key(secret) : Buffer.from(secret);
  const expected = createHmac(delivery.algorithm, key).update(delivery.content).digest();
  return delivery.signatures.some(
    (signature) => signature.length === expected.length && timingSafeEqual(signature, expected),
  );
}

function checkFreshness({ at, header, toleranceSeconds }: SignedTimestamp, now: Date): void {
  const ageSeconds = (now.getTime() - at.getTime()) / 1000;
  if (ageSeconds > toleranceSeconds) {
    throw new WebhookSignatureError(
      'stale_timestamp',
      `The ${header} time is ${Math.ceil(ageSeconds)} s old, beyond the ${toleranceSeconds} s tolerance: the delivery may be a replay, or this server's clock runs ahead.`,
    );
  }
  if (-ageSeconds > toleranceSeconds) {
    throw new WebhookSignatureError(
      'future_timestamp',
      `The ${header} time is ${Math.ceil(-ageSeconds)} s in the future, beyond the ${toleranceSeconds} s tolerance: check this server's clock, which may run behind.`,
    );
  }
}
