import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/** Where a sandbox announces its data changes, and the secret it signs them with. */
export const webhookTargetSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(1),
});
export type WebhookTarget = z.output<typeof webhookTargetSchema>;

/** The body and headers of one delivery attempt, signed. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** Events sent in one request: HubSpot batches them, Zendesk sends one per request. */
export interface Announcement {
  eventIds: readonly (string | number)[];
  eventTypes: readonly string[];
  /** Builds and signs the request of one attempt (0-based), with a fresh timestamp each time. */
  sign(target: WebhookTarget, attempt: number): SignedRequest;
}

/** One attempt as `GET /_sandbox/webhooks` lists it: never the secret nor the signature. */
export interface WebhookAttempt {
  at: string;
  url: string;
  /** 0-based. */
  attempt: number;
  /** The receiver's status, or null when it did not answer (see `error`). */
  status: number | null;
  error?: string;
  eventIds: readonly (string | number)[];
  eventTypes: readonly string[];
}

export interface WebhookOutbox {
  /** Queues a delivery to the current target, sent once the API answer is written; none without a target. */
  announce(announcement: Announcement): void;
  /** Sets the target of later announcements; undefined stops announcing. Throws when invalid. */
  setTarget(target: WebhookTarget | undefined): void;
  /** The target's URL, without its secret. */
  targetUrl(): string | undefined;
  /** The last 200 attempts, oldest first. */
  attempts(): readonly WebhookAttempt[];
  /** Cancels pending retries and in-flight requests, and waits until they have stopped. */
  close(): Promise<void>;
}

const MAX_ATTEMPTS_LOGGED = 200;

/** POSTs one request without connection reuse; resolves with the receiver's status. */
function post(url: URL, signed: SignedRequest, signal: AbortSignal, timeoutMs: number) {
  return new Promise<number>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...signed.headers, 'content-length': String(Buffer.byteLength(signed.body)) },
        agent: false,
        signal,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(signed.body);
  });
}

const reasonOf = (error: unknown): string =>
  (error as { code?: string }).code ?? (error as Error).message ?? String(error);

/**
 * Delivers a sandbox's webhooks as a vendor does: after the API call that changed the data has
 * been answered, retried on a non-2xx answer or no answer after each of `retryDelaysMs`, each
 * attempt signed afresh, and every attempt logged.
 *
 * @example
 * const outbox = webhookOutbox();
 * outbox.setTarget({ url: 'http://127.0.0.1:3000/webhooks/hubspot', secret: 'whsec' });
 * outbox.announce({ eventIds: [1], eventTypes: ['contact.propertyChange'], sign: (target, attempt) => … });
 */
export function webhookOutbox(
  options: { retryDelaysMs?: readonly number[]; timeoutMs?: number } = {},
): WebhookOutbox {
  const retryDelaysMs = options.retryDelaysMs ?? [100, 400];
  const timeoutMs = options.timeoutMs ?? 5000;
  let target: WebhookTarget | undefined;
  const logged: WebhookAttempt[] = [];
  const inFlight = new Set<Promise<void>>();
  // Aborts backoff timers and open requests on close, so nothing keeps the process alive.
  const closing = new AbortController();

  const deliver = async (announcement: Announcement, to: WebhookTarget) => {
    const url = new URL(to.url);
    // Yields to the event loop first: the API answer that announced the change is written before.
    await sleep(0, undefined, { signal: closing.signal });
    for (let attempt = 0; attempt <= retryDelaysMs.length; attempt++) {
      if (attempt > 0)
        await sleep(retryDelaysMs[attempt - 1], undefined, { signal: closing.signal });
      const at = new Date().toISOString();
      let status: number | null = null;
      let error: string | undefined;
      try {
        status = await post(url, announcement.sign(to, attempt), closing.signal, timeoutMs);
      } catch (failure) {
        if (closing.signal.aborted) return;
        error = reasonOf(failure);
      }
      logged.push({
        at,
        url: to.url,
        attempt,
        status,
        ...(error === undefined ? {} : { error }),
        eventIds: announcement.eventIds,
        eventTypes: announcement.eventTypes,
      });
      if (logged.length > MAX_ATTEMPTS_LOGGED) logged.shift();
      if (status !== null && status >= 200 && status < 300) return;
    }
  };

  return {
    announce(announcement) {
      if (!target || closing.signal.aborted) return;
      const delivery = deliver(announcement, target).catch(() => undefined);
      inFlight.add(delivery);
      void delivery.finally(() => inFlight.delete(delivery));
    },
    setTarget(next) {
      target = next === undefined ? undefined : webhookTargetSchema.parse(next);
    },
    targetUrl: () => target?.url,
    attempts: () => logged,
    async close() {
      closing.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
