import { AppError, type ErrorCategory, type ErrorIssue } from './app-error.ts';

export class ValidationError extends AppError {
  readonly code = 'validation_failed';
  readonly statusCode = 400;
  readonly category: ErrorCategory = 'validation';
}

export class InvalidJsonError extends AppError {
  readonly code = 'invalid_json';
  readonly statusCode = 400;
  readonly category: ErrorCategory = 'validation';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly code = 'unsupported_media_type';
  readonly statusCode = 415;
  readonly category: ErrorCategory = 'validation';
}

export class PayloadTooLargeError extends AppError {
  readonly code = 'payload_too_large';
  readonly statusCode = 413;
  readonly category: ErrorCategory = 'validation';
}

export class AuthenticationError extends AppError {
  readonly code: string;
  readonly statusCode = 401;
  readonly category: ErrorCategory = 'authentication';
  constructor(code: 'missing_token' | 'invalid_token' | 'token_expired', message: string) {
    // RFC 6750 §3.1: a request that carried no token gets the challenge without an error code.
    super(message, {
      headers: {
        'WWW-Authenticate': code === 'missing_token' ? 'Bearer' : 'Bearer error="invalid_token"',
      },
    });
    this.code = code;
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
  readonly statusCode = 403;
  readonly category: ErrorCategory = 'authorization';
}

/** A write that only a person may confirm, in the console, was confirmed with an agent's token. */
export class PersonConfirmationRequiredError extends AppError {
  readonly code = 'person_confirmation_required';
  readonly statusCode = 403;
  readonly category: ErrorCategory = 'authorization';
  /** The console page where a person approves it. */
  override readonly approveUrl: string;
  /** What the write will do, for a client that shows the person where to go (not in the envelope). */
  readonly summary: string;
  constructor(message: string, approveUrl: string, summary: string) {
    super(message, { approveUrl });
    this.approveUrl = approveUrl;
    this.summary = summary;
  }
}

/**
 * A system called on behalf of the user whom the gateway holds no working connection for: never
 * connected, revoked, or refused at refresh (broken). The user connects at `connectUrl`.
 */
export class ConnectionRequiredError extends AppError {
  readonly code = 'connection_required';
  readonly statusCode = 403;
  readonly category: ErrorCategory = 'authorization';
  override readonly connectUrl: string;
  constructor(message: string, connectUrl: string) {
    super(message, { connectUrl });
    this.connectUrl = connectUrl;
  }
}

/**
 * The identity provider refused to exchange the caller's token for one at a system called with
 * token exchange (`invalid_grant`, `unauthorized_client`, the user not allowed): nothing was sent
 * to the system, and the service credential is never used instead.
 */
export class ExchangeRefusedError extends AppError {
  readonly code = 'exchange_refused';
  readonly statusCode = 403;
  readonly category: ErrorCategory = 'authorization';
}

/** A connection's authorization could not complete: its state is unknown or used, or the user said no. */
export class ConnectFailedError extends AppError {
  readonly code: string;
  readonly statusCode = 400;
  readonly category: ErrorCategory = 'validation';
  constructor(code: 'connect_state_invalid' | 'connect_denied', message: string) {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends AppError {
  readonly code: string;
  readonly statusCode = 404;
  readonly category: ErrorCategory = 'not_found';
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class MethodNotAllowedError extends AppError {
  readonly code = 'method_not_allowed';
  readonly statusCode = 405;
  readonly category: ErrorCategory = 'validation';
}

/** The business system answered with an error that retrying will not fix (4xx other than auth). */
export class UpstreamError extends AppError {
  readonly code: string;
  readonly statusCode = 502;
  readonly category: ErrorCategory = 'upstream';
  /** The system's own status, for adapters that turn a business refusal into a clear error. */
  readonly upstreamStatus: number | undefined;
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; upstreamStatus?: number } = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.code = code;
    this.upstreamStatus = options.upstreamStatus;
  }
}

/** The business system is unavailable right now (5xx, 429, connection refused); try later. */
export class UpstreamUnavailableError extends AppError {
  readonly code = 'upstream_unavailable';
  readonly statusCode = 503;
  readonly category: ErrorCategory = 'upstream';
  override readonly retryable = true;
  /** The wait the system itself asked for (Retry-After), if it did. */
  readonly hintedRetryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { ...options, retryAfterMs: options.retryAfterMs ?? 5000 });
    this.hintedRetryAfterMs = options.retryAfterMs;
  }
}

export class UpstreamTimeoutError extends AppError {
  readonly code = 'upstream_timeout';
  readonly statusCode = 504;
  readonly category: ErrorCategory = 'upstream';
  override readonly retryable = true;
}

/** The answer of the business system does not match the contract the connector expects. */
export class UpstreamDataError extends AppError {
  readonly code = 'upstream_data_invalid';
  readonly statusCode = 502;
  readonly category: ErrorCategory = 'upstream';
}

/** Missing secret, rejected credentials, bad base URL: an operator has to fix the deployment. */
export class ConfigurationError extends AppError {
  readonly code: string;
  readonly statusCode = 502;
  readonly category: ErrorCategory = 'configuration';
  /**
   * @param message For the agent: what it can do (usually: tell the user, do not retry).
   * @param options.operatorDetail Which secret, setting or host is wrong: logged, never answered.
   */
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; operatorDetail?: string } = {},
  ) {
    super(message, options);
    this.code = code;
  }
  override get expose(): boolean {
    return true;
  }
}

/** The request conflicts with the current state (stock gone, already confirmed, key reused). */
export class ConflictError extends AppError {
  readonly code: string;
  readonly statusCode = 409;
  readonly category: ErrorCategory = 'conflict';
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The audit trail cannot take the call's record, and no call may stand unaudited. */
export class AuditUnavailableError extends AppError {
  readonly code = 'audit_unavailable';
  readonly statusCode = 503;
  readonly category: ErrorCategory = 'internal';
  override readonly retryable = true;
  constructor(message: string) {
    super(message, { retryAfterMs: 2000 });
  }
}

/** A confirmation whose time ran out. */
export class ExpiredError extends AppError {
  readonly code = 'confirmation_expired';
  readonly statusCode = 410;
  readonly category: ErrorCategory = 'conflict';
}

/** Too many calls: the caller's own limit, or a business system's rate budget. */
export class RateLimitedError extends AppError {
  readonly code = 'rate_limited';
  readonly statusCode = 429;
  readonly category: ErrorCategory = 'rate_limited';
  override readonly retryable = true;
  constructor(message: string, retryAfterMs: number) {
    super(message, { retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)) });
  }
}

/**
 * A list's query parameters are invalid (`invalid_input`), or its `cursor` does not decode or was
 * made for other filters (`invalid_cursor`); `issues` name the parameters.
 */
export class InvalidQueryError extends AppError {
  readonly code: string;
  readonly statusCode = 400;
  readonly category: ErrorCategory = 'validation';
  constructor(
    code: 'invalid_input' | 'invalid_cursor',
    message: string,
    issues: readonly ErrorIssue[],
  ) {
    super(message, { issues });
    this.code = code;
  }
}
