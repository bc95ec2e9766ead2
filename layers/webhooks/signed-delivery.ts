import { ConfigurationError } from '../errors/index.ts';
import { WebhookSignatureError } from './errors.ts';
import type { HmacAlgorithm, WebhookRequest } from './types.ts';

/** The timestamp a sender signed, and how far from now it may be. */
export interface SignedTimestamp {
  at: Date;
  /** Header it came from, as the vendor documents it, for messages. */
  header: string;
  toleranceSeconds: number;
}

/**
 * What a scheme reads from a delivery before any secret is used: the exact bytes the sender
 * signed and the signatures it sent. `verifyWebhook` does the HMAC, the comparison and the clock.
 */
export interface SignedDelivery {
  /** The header the signature came in, as the vendor documents it, for messages. */
  header: string;
  algorithm: HmacAlgorithm;
  /** The exact bytes the sender signed. */
  content: Buffer;
  /** The signatures received, decoded; any one matching is enough. */
  signatures: readonly Buffer[];
  timestamp?: SignedTimestamp;
  /** Turns a configured secret into the HMAC key. @default the secret's UTF-8 bytes */
  key?: (secret: string) => Buffer;
  /**
   * The sender's delivery or event id, only when it is part of `content` (so the signature covers
   * it); read only once the signature holds.
   */
  signedId: () => string | undefined;
  /** Added to the mismatch message, for senders that sign more than the body. */
  mismatchHint?: string;
}

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A header's value, or a refusal naming it when it is absent or empty.
 *
 * @example
 * const signature = requireHeader(request, 'Stripe-Signature', 'Stripe');
 */
export function requireHeader(request: WebhookRequest, name: string, vendor: string): string {
  const value = optionalHeader(request, name);
  if (value === undefined) {
    throw new WebhookSignatureError(
      'missing_header',
      `Missing the ${name} header: ${vendor} sends it with every signed delivery, so check that the request comes from ${vendor} with signing configured and that no proxy drops the header.`,
    );
  }
  return value;
}

/**
 * A header's trimmed value, undefined when absent or empty.
 *
 * @example
 * const deliveryId = optionalHeader(request, 'X-GitHub-Delivery');
 */
export function optionalHeader(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A refusal saying which shape a header should have had (never the value received).
 *
 * @example
 * throw malformed('X-Hub-Signature-256', 'sha256=<64 hex characters>');
 */
export function malformed(header: string, shape: string): WebhookSignatureError {
  return new WebhookSignatureError(
    'malformed_header',
    `The ${header} header is malformed: expected ${shape}.`,
  );
}

/**
 * How an HMAC digest looks in a header, for messages.
 *
 * @example
 * digestShape('base64', 'sha256'); // '44 base64 characters'
 */
export function digestShape(encoding: 'hex' | 'base64', algorithm: HmacAlgorithm): string {
  const bytes = DIGEST_BYTES[algorithm];
  return encoding === 'hex'
    ? `${bytes * 2} hex characters`
    : `${Math.ceil(bytes / 3) * 4} base64 characters`;
}

/**
 * The bytes of a hex or base64 HMAC digest, or undefined when the text is not one of the
 * algorithm's length (so later comparisons are always between equal lengths).
 *
 * @example
 * decodeDigest('sha256=…'.slice(7), 'hex', 'sha256'); // Buffer(32) or undefined
 */
export function decodeDigest(
  text: string,
  encoding: 'hex' | 'base64',
  algorithm: HmacAlgorithm,
): Buffer | undefined {
  const bytes = DIGEST_BYTES[algorithm];
  if (encoding === 'hex') {
    return text.length === bytes * 2 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
  }
  if (text.length !== Math.ceil(bytes / 3) * 4 || !BASE64.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64');
  return decoded.length === bytes ? decoded : undefined;
}

/**
 * The bytes of strings and buffers one after the other; strings as UTF-8.
 *
 * @example
 * concatBytes(timestamp, '.', request.rawBody);
 */
export function concatBytes(...parts: readonly (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}

/**
 * A Unix time in whole seconds (or milliseconds), or undefined when the text is not one.
 *
 * @example
 * parseUnixTime('1531420618', 'seconds'); // 2018-07-12T18:36:58.000Z
 */
export function parseUnixTime(text: string, unit: 'seconds' | 'milliseconds'): Date | undefined {
  if (!/^\d{1,15}$/.test(text)) return undefined;
  const at = new Date(Number(text) * (unit === 'seconds' ? 1000 : 1));
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/**
 * The tolerance to apply: the configured one, or 300 s.
 *
 * @example
 * toleranceOf(scheme.toleranceSeconds); // 300 when unset
 */
export function toleranceOf(configured: number | undefined): number {
  if (configured === undefined) return 300;
  if (!Number.isFinite(configured) || configured <= 0) {
    throw new ConfigurationError(
      'webhook_tolerance_invalid',
      'The webhook toleranceSeconds must be a positive number of seconds.',
    );
  }
  return configured;
}

/**
 * A string field of a JSON object body, or undefined when the body is not JSON or has no such
 * string field.
 *
 * @example
 * jsonStringField(request.rawBody, 'event_id'); // 'Ev0PV52K21'
 */
export function jsonStringField(body: Buffer, field: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const value: unknown = (parsed as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}
