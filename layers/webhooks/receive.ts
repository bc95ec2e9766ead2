import { randomUUID } from 'node:crypto';
import {
  AppError,
  ConfigurationError,
  InvalidJsonError,
  NotFoundError,
  PayloadTooLargeError,
  UpstreamUnavailableError,
} from '../errors/index.ts';
import type { HttpEvent, HttpResult } from '../http-util/api-gateway.ts';
import { json } from '../http-util/respond.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import type { DeliveryLog, DeliveryRecord } from './delivery-log.ts';
import { WebhookSignatureError } from './errors.ts';
import type { CanonicalEvent } from './events.ts';
import { getWebhookSource, webhookSecretEnvName, webhookSources } from './sources.ts';
import type { EventsQueue, WebhookReceipts } from './stores.ts';
import { verifyWebhook } from './verify.ts';

export interface ReceiveDeps {
  env: Readonly<Record<string, string | undefined>>;
  secrets: SecretProvider;
  receipts: Pick<WebhookReceipts, 'claim' | 'release'>;
  queue: Pick<EventsQueue, 'send'>;
  logger: Pick<ToolLogger, 'info' | 'warn' | 'error'>;
  /** Where each event's outcome is logged and counted (GET /webhooks/events); absent: nowhere. */
  log?: Pick<DeliveryLog, 'record'>;
  /** Bodies over this are refused with 413 before anything else. */
  maxBodyBytes: number;
  /** The public base URL senders call, when the Host header is not it (HubSpot signs the URL). */
  publicBaseUrl?: string | undefined;
}

/**
 * `POST /webhooks/{source}`: verifies the delivery on its exact bytes with the source's scheme
 * and signing secrets (current, then previous), answers vendor handshakes, turns the delivery
 * into canonical events, drops those already received, queues the rest and answers 202 (200 when
 * every event was a redelivery). Nothing unverified or malformed is queued.
 *
 * @example
 * export const handler = middy(receiveWebhook(deps)).use(requestContext({ logger })).use(errorEnvelope({ logger }));
 */
export function receiveWebhook(deps: ReceiveDeps) {
  const receive = receiveDelivery(deps);
  return async (event: HttpEvent): Promise<HttpResult> => {
    const receivedAt = new Date();
    let answer: { result: HttpResult; records: DeliveryRecord[] };
    try {
      answer = await receive(event, receivedAt);
    } catch (error) {
      await logDeliveries(deps, [refusal(event.pathParameters?.source ?? '', error, receivedAt)]);
      throw error;
    }
    await logDeliveries(deps, answer.records);
    return answer.result;
  };
}

/** Logs outcomes; a log that cannot be written never changes the sender's answer. */
async function logDeliveries(deps: ReceiveDeps, records: DeliveryRecord[]): Promise<void> {
  try {
    await deps.log?.record(records, (source) => getWebhookSource(source) !== undefined);
  } catch (error) {
    deps.logger.warn('webhook delivery log not written', { error: (error as Error).message });
  }
}

/**
 * A refused delivery as the log keeps it: the refusal's stable reason (the signature check's, or
 * the error code), never the body, a header or a secret. A path that names no source is logged
 * under a tidied name, and never counted.
 */
function refusal(sourceId: string, error: unknown, receivedAt: Date): DeliveryRecord {
  const source = /^[a-z0-9_-]{1,40}$/.test(sourceId) ? sourceId : 'unknown';
  const reason =
    error instanceof WebhookSignatureError
      ? error.reason
      : error instanceof AppError
        ? error.code
        : 'internal_error';
  return {
    id: `${source}:refused:${randomUUID()}`,
    source,
    receivedAt: receivedAt.toISOString(),
    outcome: 'refused',
    reason,
  };
}

/** The delivery's answer, and each event's outcome for the log. */
function receiveDelivery(deps: ReceiveDeps) {
  return async (
    event: HttpEvent,
    receivedAt: Date,
  ): Promise<{ result: HttpResult; records: DeliveryRecord[] }> => {
    const sourceId = event.pathParameters?.source ?? '';
    const source = getWebhookSource(sourceId);
    if (!source) {
      throw new NotFoundError(
        'webhook_source_not_found',
        `No webhook source "${sourceId}". Sources: ${webhookSources.map((s) => s.id).join(', ')}.`,
      );
    }
    const text = typeof event.body === 'string' ? event.body : '';
    const rawBody = Buffer.from(text, event.isBase64Encoded ? 'base64' : 'utf8');
    if (rawBody.length > deps.maxBodyBytes) {
      throw new PayloadTooLargeError(
        `The ${source.displayName} delivery is ${rawBody.length} bytes; the limit is ${deps.maxBodyBytes}.`,
      );
    }
    const headers = (event.headers ?? {}) as Record<string, string | undefined>;
    const verified = verifyWebhook(
      source.scheme,
      { method: event.requestContext.http.method, url: calledUrl(event, deps), headers, rawBody },
      await signingSecrets(deps, source.id),
    );
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new InvalidJsonError(`The ${source.displayName} delivery is signed but not JSON.`);
    }
    const delivery = { body, headers, verified, receivedAt };
    const handshake = source.handshake?.(delivery);
    if (handshake) return { result: json(handshake.statusCode, handshake.body), records: [] };
    const events = source.toEvents(delivery);
    const claimed = await Promise.all(events.map((item) => deps.receipts.claim(item.id)));
    const fresh: CanonicalEvent[] = events.filter((_, index) => claimed[index]);
    if (fresh.length > 0) {
      try {
        await deps.queue.send(fresh);
      } catch (error) {
        // Not queued: forget the receipts so that the sender's retry is taken.
        await Promise.all(fresh.map((item) => deps.receipts.release(item.id)));
        throw new UpstreamUnavailableError(
          'The gateway could not queue the delivery; send it again.',
          { cause: error },
        );
      }
    }
    deps.logger.info('webhook received', {
      source: source.id,
      events: events.length,
      duplicates: events.length - fresh.length,
    });
    const records = events.map(
      (item, index): DeliveryRecord => ({
        id: item.id,
        source: source.id,
        type: item.type,
        receivedAt: receivedAt.toISOString(),
        outcome: claimed[index] ? 'accepted' : 'duplicate',
      }),
    );
    const result =
      fresh.length > 0
        ? json(202, {
            status: 'accepted',
            events: fresh.map((item) => item.id),
            duplicates: events.length - fresh.length,
          })
        : json(200, { status: 'duplicate', events: events.map((item) => item.id) });
    return { result, records };
  };
}

/** The URL the sender called: the public base URL when configured, else the Host header's. */
function calledUrl(event: HttpEvent, deps: Pick<ReceiveDeps, 'publicBaseUrl'>): string {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  if (deps.publicBaseUrl) return `${deps.publicBaseUrl.replace(/\/$/, '')}${event.rawPath}${query}`;
  const proto = event.headers?.['x-forwarded-proto'] ?? 'https';
  const host = event.headers?.host ?? event.requestContext.domainName;
  return `${proto}://${host}${event.rawPath}${query}`;
}

/** The source's signing secrets from its secret `{"current","previous"?}`: current first. */
async function signingSecrets(deps: ReceiveDeps, sourceId: string): Promise<string[]> {
  const secretId = deps.env[webhookSecretEnvName(sourceId)];
  if (!secretId) {
    throw new ConfigurationError(
      'webhook_not_configured',
      `Webhooks from ${sourceId} are not configured on this gateway.`,
      { operatorDetail: `${webhookSecretEnvName(sourceId)} is not set` },
    );
  }
  const secret = await deps.secrets.getJson(secretId);
  return [secret.current, secret.previous].filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
}
