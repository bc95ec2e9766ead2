/** A digest algorithm for HMAC signatures. */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/**
 * How a sender signs its webhooks. Tolerances are in seconds, both into the past and the future,
 * and default to 300.
 *
 * @example
 * const stripe: WebhookScheme = { type: 'stripe' };
 * const custom: WebhookScheme = {
 *   type: 'hmac',
 *   header: 'X-Signature',
 *   algorithm: 'sha256',
 *   encoding: 'hex',
 *   prefix: 'sha256=',
 *   signedContent: 'id.timestamp.body',
 *   timestampHeader: 'X-Timestamp',
 *   deliveryIdHeader: 'X-Delivery-Id',
 * };
 */
export type WebhookScheme =
  /** `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>]` over `${t}.${body}`. */
  | { type: 'stripe'; toleranceSeconds?: number }
  /** `X-Hub-Signature-256: sha256=<hex>` over the body. */
  | { type: 'github' }
  /** `X-Shopify-Hmac-Sha256: <base64>` over the body. */
  | { type: 'shopify' }
  /** `X-Slack-Signature: v0=<hex>` over `v0:${X-Slack-Request-Timestamp}:${body}`. */
  | { type: 'slack'; toleranceSeconds?: number }
  /** `X-HubSpot-Signature-v3: <base64>` over `${method}${uri}${body}${X-HubSpot-Request-Timestamp}`. */
  | { type: 'hubspot-v3'; toleranceSeconds?: number }
  /** `webhook-signature: v1,<base64> …` over `${webhook-id}.${webhook-timestamp}.${body}` (also `svix-*`). */
  | { type: 'standard-webhooks' }
  /** `X-Zendesk-Webhook-Signature: <base64>` over `${X-Zendesk-Webhook-Signature-Timestamp}${body}`. */
  | { type: 'zendesk'; toleranceSeconds?: number }
  /**
   * Any other sender that puts an HMAC of the body, of `${timestamp}.${body}` or of
   * `${deliveryId}.${timestamp}.${body}` in one header.
   */
  | {
      type: 'hmac';
      /** Header holding the signature. */
      header: string;
      algorithm: HmacAlgorithm;
      encoding: 'hex' | 'base64';
      /** Text before the digest in the header, e.g. `sha256=`. */
      prefix?: string;
      /**
       * What was signed. `timestamp.body` needs `timestampHeader`; `id.timestamp.body` needs it and
       * `deliveryIdHeader`. @default 'body'
       */
      signedContent?: 'body' | 'timestamp.body' | 'id.timestamp.body';
      /** Header holding the time of sending in Unix seconds; checked against the tolerance when set. */
      timestampHeader?: string;
      toleranceSeconds?: number;
      /**
       * Header naming the delivery, for de-duplication; only with `id.timestamp.body`, which signs
       * it: an unsigned id would let a replay with a fresh one pass as a new delivery.
       */
      deliveryIdHeader?: string;
    };

/** The request as it arrived, before any parsing. */
export interface WebhookRequest {
  method: string;
  /** The full URL as the vendor called it (HubSpot signs it), e.g. `https://api.example.com/hooks/hubspot?portal=1`. */
  url: string;
  /** Header values by lower-case name. */
  headers: Record<string, string | undefined>;
  /** The body's exact bytes: a re-serialised JSON body does not verify. */
  rawBody: Buffer;
}

/** What a verified delivery tells about itself. */
export interface VerifiedDelivery {
  /**
   * The sender's id of the delivery or event when the signature covers it (Standard Webhooks
   * `webhook-id`, the generic scheme's signed delivery id, Stripe's `id` and Slack's `event_id` in
   * the body); undefined otherwise. Ids in headers the sender does not sign (`X-GitHub-Delivery`,
   * `X-Shopify-Event-Id`, `X-Zendesk-Webhook-Invocation-Id`) are never returned: whoever captured
   * a delivery could replay it under a fresh one.
   */
  signedId: string | undefined;
  /**
   * SHA-256 of the body, hex. Every scheme signs the body, so this is the de-duplication key of a
   * delivery without a signed id: a replay has the same body, whatever headers it changes.
   */
  bodyDigest: string;
  /** When the sender signed it, for schemes that sign a timestamp. */
  timestamp?: Date;
}
