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
  /**
   * What an operator needs and an agent must not see (secret ids, ARNs, hosts, settings): logged
   * at the edge, never put in a response.
   */
  operatorDetail?: string;
  /** Where a person approves what the call asked for (the console page of a confirmation). */
  approveUrl?: string;
  /** Where the user connects a system, for calls on their behalf (per-user credentials). */
  connectUrl?: string;
}

/** An answer is bounded whatever the input: a body of 10,000 unknown fields is one short error. */
export const MAX_ISSUES = 20;
const MAX_MESSAGE_LENGTH = 1000;
const MAX_PATH_LENGTH = 200;

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** The first `MAX_ISSUES` issues, clipped, and one more saying how many were left out. */
export function boundIssues(issues: readonly ErrorIssue[]): ErrorIssue[] {
  const kept = issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: clip(issue.path, MAX_PATH_LENGTH),
    message: clip(issue.message, MAX_MESSAGE_LENGTH),
  }));
  const rest = issues.length - kept.length;
  if (rest > 0) {
    kept.push({
      path: '',
      message: `…and ${rest} more issue${rest === 1 ? '' : 's'} of the same kind: fix the ones above first, then call again.`,
    });
  }
  return kept;
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
  readonly operatorDetail: string | undefined;
  readonly approveUrl: string | undefined;
  readonly connectUrl: string | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(
      clip(message, MAX_MESSAGE_LENGTH),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.retryAfterMs = options.retryAfterMs;
    this.issues = options.issues && boundIssues(options.issues);
    this.headers = options.headers ?? {};
    this.operatorDetail = options.operatorDetail;
    this.approveUrl = options.approveUrl;
    this.connectUrl = options.connectUrl;
  }

  /** Whether the message may be shown to the caller. 5xx messages are still written for agents. */
  get expose(): boolean {
    return this.statusCode < 500 || this.category === 'upstream';
  }
}
