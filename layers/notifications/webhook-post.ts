import { parseRetryAfter } from '../http-util/retry-after.ts';
import { fullJitter } from '../resilience/retry-budget.ts';

export interface WebhookPostOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Per attempt. @default 5000 */
  readonly timeoutMs?: number;
  /** Attempts in all, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Longest wait a `Retry-After` may ask for before the post gives up. @default 5000 */
  readonly maxWaitMs?: number;
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/**
 * How a post ended. `reason` says why it failed in words safe to log: a status and the vendor's
 * short answer, or the kind of network failure, never the URL (it is the secret).
 */
export type WebhookPostOutcome =
  | { readonly ok: true; readonly attempts: number; readonly status: number }
  | {
      readonly ok: false;
      readonly attempts: number;
      readonly status?: number;
      readonly reason: string;
      /** A 403, 404 or 410: the webhook was removed or its URL replaced (Slack's `no_service`, …). */
      readonly gone: boolean;
    };

/** Request timeouts, throttling and server errors may pass; any other answer will not. */
const transientStatus = (status: number) => status === 408 || status === 429 || status >= 500;
const GONE = new Set([403, 404, 410]);
const MAX_ANSWER = 200;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The vendor's short answer, with the URL taken out should it ever echo it. */
async function answerOf(response: Response, url: string): Promise<string> {
  const text = (await response.text().catch(() => '')).replaceAll(url, '[webhook URL]').trim();
  return text.length > MAX_ANSWER ? `${text.slice(0, MAX_ANSWER)}…` : text;
}

/** A network failure in words: its kind and code (e.g. `TypeError ECONNREFUSED`), no address. */
function failureOf(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'no answer in time';
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  const name = error instanceof Error ? error.name : 'Error';
  return typeof code === 'string' ? `${name} ${code}` : `${name}: network failure`;
}

/**
 * Posts a JSON message to an incoming webhook (Slack, Microsoft Teams), retrying a little when
 * the failure may pass (no answer, 408, 429, 5xx) with jittered backoff or the `Retry-After` the
 * vendor asks for; never throws.
 *
 * @example
 * const outcome = await postWebhook(url, slackMessage(notification));
 * if (!outcome.ok) logger.warn('not delivered', { reason: outcome.reason });
 */
export async function postWebhook(
  url: string,
  message: unknown,
  options: WebhookPostOptions = {},
): Promise<WebhookPostOutcome> {
  const fetch = options.fetch ?? globalThis.fetch;
  const maxAttempts = options.maxAttempts ?? 3;
  const sleep = options.sleep ?? sleepFor;
  const body = JSON.stringify(message);
  let attempt = 0;
  for (;;) {
    attempt += 1;
    let failure: { status?: number; reason: string; transient: boolean; retryAfterMs?: number };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (response.ok) {
        await response.body?.cancel();
        return { ok: true, attempts: attempt, status: response.status };
      }
      const answer = await answerOf(response, url);
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      failure = {
        status: response.status,
        reason: `status ${response.status}${answer ? ` (${answer})` : ''}`,
        transient: transientStatus(response.status),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    } catch (error) {
      failure = { reason: failureOf(error), transient: true };
    }
    const wait = Math.max(
      failure.retryAfterMs ?? 0,
      fullJitter(attempt - 1, {
        baseMs: 200,
        capMs: 2000,
        ...(options.random ? { random: options.random } : {}),
      }),
    );
    if (!failure.transient || attempt >= maxAttempts || wait > (options.maxWaitMs ?? 5000)) {
      return {
        ok: false,
        attempts: attempt,
        reason: failure.reason,
        gone: failure.status !== undefined && GONE.has(failure.status),
        ...(failure.status === undefined ? {} : { status: failure.status }),
      };
    }
    await sleep(wait);
  }
}
