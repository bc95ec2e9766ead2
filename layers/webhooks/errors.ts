import { AppError, type ErrorCategory } from '../errors/index.ts';

/** Why a delivery was refused: stable values for logs and metrics. */
export type WebhookRefusal =
  | 'missing_header'
  | 'malformed_header'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'signature_mismatch';

/**
 * A webhook delivery that cannot be shown to come from its sender, answered with 401. The message
 * says what to fix (the header, its shape, the clock, the secret or the body) and never holds the
 * secret, the received signature or the computed one.
 *
 * @example
 * try {
 *   verifyWebhook({ type: 'github' }, request, secrets);
 * } catch (error) {
 *   if (error instanceof WebhookSignatureError) logger.warn('webhook refused', { reason: error.reason });
 *   throw error;
 * }
 */
export class WebhookSignatureError extends AppError {
  readonly code = 'invalid_signature';
  readonly statusCode = 401;
  readonly category: ErrorCategory = 'authentication';
  readonly reason: WebhookRefusal;
  constructor(reason: WebhookRefusal, message: string) {
    super(message);
    this.reason = reason;
  }
}
