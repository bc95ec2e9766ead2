export type ErrorCategory =
  | 'validation'
  | 'authentication'
  | 'authorization'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'upstream'
  | 'configuration'
  | 'internal';

export interface ErrorIssue {
  /** Dot path of the offending field, e.g. `filters.status`; empty for the whole body. */
  path: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  retryAfterMs?: number;
  issues?: readonly ErrorIssue[];
  /** Extra headers for the response, e.g. WWW-Authenticate. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Base of every error the gateway answers with. The edge middleware turns it into the DESIGN.md
 * envelope; `message` is written for an AI agent to act on and never holds a secret or an
 * upstream body.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly statusCode: number;
  abstract readonly category: ErrorCategory;
  readonly retryable: boolean = false;
  readonly retryAfterMs: number | undefined;
  readonly issues: readonly ErrorIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryAfterMs = options.retryAfterMs;
    this.issues = options.issues;
    this.headers = options.headers ?? {};
  }

  /** Whether the message may be shown to the caller. 5xx messages are still written for agents. */
  get expose(): boolean {
    return this.statusCode < 500 || this.category === 'upstream';
  }
}
