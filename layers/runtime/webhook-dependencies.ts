import { createDocumentClient, createSqsClient } from '../aws/clients.ts';
import { parseEnv, type RuntimeEnv } from '../config/env.ts';
import { ConfigurationError } from '../errors/index.ts';
import { logger } from '../observability/logger.ts';
import { ResponseCache } from '../resilience/response-cache.ts';
import type { ProcessDeps } from '../webhooks/process.ts';
import type { ReceiveDeps } from '../webhooks/receive.ts';
import { EventLog, EventsQueue, WebhookReceipts } from '../webhooks/stores.ts';
import { cacheInvalidation, eventBridgePublisher } from '../webhooks/subscribers.ts';
import { secretProvider } from './dependencies.ts';

function required(env: RuntimeEnv, name: 'WEBHOOK_TABLE_NAME' | 'EVENTS_QUEUE_URL'): string {
  const value = env[name];
  if (!value) {
    throw new ConfigurationError(
      'webhooks_not_configured',
      `This function has no ${name}; an operator must fix the deployment.`,
    );
  }
  return value;
}

/**
 * What the webhook endpoint needs, built once per cold start.
 *
 * @example
 * const deps = buildReceiveDependencies(process.env);
 */
export function buildReceiveDependencies(
  source: Record<string, string | undefined>,
): ReceiveDeps & { logger: typeof logger } {
  const env = parseEnv(source);
  const client = createDocumentClient();
  return {
    env: source,
    logger,
    secrets: secretProvider(env),
    receipts: new WebhookReceipts({ client, tableName: required(env, 'WEBHOOK_TABLE_NAME') }),
    queue: new EventsQueue({
      client: createSqsClient(),
      queueUrl: required(env, 'EVENTS_QUEUE_URL'),
    }),
    maxBodyBytes: env.WEBHOOK_MAX_BODY_BYTES,
    publicBaseUrl: env.PUBLIC_BASE_URL,
  };
}

/**
 * What the event worker needs: the event log and the subscribers (cache invalidation, and the
 * EventBridge bus when EVENT_BUS_NAME is set).
 */
export async function buildProcessDependencies(
  source: Record<string, string | undefined>,
): Promise<ProcessDeps & { logger: typeof logger }> {
  const env = parseEnv(source);
  const client = createDocumentClient();
  if (!env.RESILIENCE_TABLE_NAME) {
    throw new ConfigurationError(
      'webhooks_not_configured',
      'The event worker has no RESILIENCE_TABLE_NAME (the cache it invalidates).',
    );
  }
  const subscribers = [
    cacheInvalidation(new ResponseCache({ client, tableName: env.RESILIENCE_TABLE_NAME }), logger),
  ];
  if (env.EVENT_BUS_NAME) {
    const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
    subscribers.push(eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME));
  }
  return {
    logger,
    log: new EventLog({
      client,
      tableName: required(env, 'WEBHOOK_TABLE_NAME'),
      retentionDays: env.WEBHOOK_EVENT_RETENTION_DAYS,
    }),
    subscribers,
  };
}
