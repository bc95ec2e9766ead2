import { DynamoAuditTable } from '../audit/audit-repository.ts';
import { createDocumentClient, createSqsClient } from '../aws/clients.ts';
import { parseEnv, requireSettings } from '../config/env.ts';
import { parseSystemSettings } from '../config/system-settings.ts';
import { chatNotifierFrom } from '../notifications/from-env.ts';
import { logger } from '../observability/logger.ts';
import { ResponseCache } from '../resilience/response-cache.ts';
import { systems } from '../systems/registry.ts';
import { isWriteTool } from '../tools/define.ts';
import { DeliveryLog } from '../webhooks/delivery-log.ts';
import type { ProcessDeps } from '../webhooks/process.ts';
import type { ReceiveDeps } from '../webhooks/receive.ts';
import { EventLog, EventsQueue, WebhookReceipts } from '../webhooks/stores.ts';
import { cacheInvalidation, eventBridgePublisher } from '../webhooks/subscribers.ts';
import { secretProvider, systemWatches } from './connectors.ts';
import { composeParts, type GatewayParts } from './parts.ts';

/**
 * The dependencies of each function role of functions/manifest.ts, built once per cold start: a
 * role takes only the parts it uses, so it is asked only for their settings, and a setting it needs
 * but lacks fails its cold start with every missing one named.
 */
type Env = Record<string, string | undefined>;

/** What the middleware chain of every authenticated route needs (layers/http/gateway-handler.ts). */
const routeParts = (parts: GatewayParts) => ({
  logger: parts.logger,
  resolver: parts.resolver(),
  auditor: parts.auditor(),
});

/** GET /tools, GET /tools/{name}: the catalog. */
export function catalogRole(source: Env) {
  const parts = composeParts(source, 'The catalog function');
  return { ...routeParts(parts), registry: parts.registry, policy: parts.policy };
}

/** POST /tools/{name}: runs a read tool, proposes a write. */
export function toolCallRole(source: Env) {
  const parts = composeParts(source, 'The tool function');
  if (parts.registry.all.some(isWriteTool))
    requireSettings(parts.env, 'A write tool function', ['CONFIRMATIONS_TABLE_NAME']);
  return {
    ...routeParts(parts),
    registry: parts.registry,
    policy: parts.policy,
    runner: parts.runner(),
    proposals: parts.proposals,
    argumentRules: parts.argumentRules,
    publicBaseUrl: parts.env.PUBLIC_BASE_URL,
  };
}

/** POST and DELETE /confirmations/{id}: confirms or cancels a proposed write. */
export function decisionRole(source: Env) {
  const parts = composeParts(source, 'The confirmations function');
  requireSettings(parts.env, 'The confirmations function', [
    'CONFIRMATIONS_TABLE_NAME',
    'OPERATIONS_TABLE_NAME',
    'WRITE_QUEUE_URL',
  ]);
  return {
    ...routeParts(parts),
    registry: parts.registry,
    policy: parts.policy,
    writes: parts.writes,
    argumentRules: parts.argumentRules,
    consoleClientId: parts.env.CONSOLE_CLIENT_ID,
    publicBaseUrl: parts.env.PUBLIC_BASE_URL,
  };
}

/** GET /operations/{id}, GET /operations. */
export function operationRole(source: Env) {
  const parts = composeParts(source, 'The operations function');
  requireSettings(parts.env, 'The operations function', ['OPERATIONS_TABLE_NAME']);
  return {
    ...routeParts(parts),
    policy: parts.policy,
    writes: parts.writes,
    search: parts.operationSearch(),
  };
}

/** GET /audit, GET /audit/{auditId}: the audit trail, for auditors and each caller's own. */
export function auditSearchRole(source: Env) {
  const parts = composeParts(source, 'The audit search function');
  return { ...routeParts(parts), policy: parts.policy, search: parts.auditSearch() };
}

/** GET /connections, POST and DELETE /connections/{system}: a user's connections. */
export function connectionsRole(source: Env) {
  const parts = composeParts(source, 'The connections function');
  return {
    ...routeParts(parts),
    policy: parts.policy,
    connections: parts.connections(),
    publicBaseUrl: parts.env.PUBLIC_BASE_URL,
  };
}

/** GET /connections/{system}/callback: completes a connection (no bearer token; the state is the proof). */
export function connectionCallbackRole(source: Env) {
  const parts = composeParts(source, 'The connection callback function');
  return {
    logger: parts.logger,
    auditor: parts.auditor(),
    connections: parts.connections(),
    publicBaseUrl: parts.env.PUBLIC_BASE_URL,
  };
}

/** GET /systems: every system's breaker, switches, budget and call figures. */
export function systemsRole(source: Env) {
  const parts = composeParts(source, 'The systems function');
  const env = requireSettings(parts.env, 'The systems function', ['RESILIENCE_TABLE_NAME']);
  const dynamo = createDocumentClient();
  return {
    ...routeParts(parts),
    registry: parts.registry,
    switches: parts.switches,
    watches: systemWatches(
      {
        env,
        systemSettings: parseSystemSettings(
          source,
          systems.map((system) => system.id),
        ),
        dynamo,
        tableName: env.RESILIENCE_TABLE_NAME,
      },
      systems,
    ),
    metrics: { client: dynamo, tableName: env.RESILIENCE_TABLE_NAME },
  };
}

/** GET /webhooks/events: the delivery log and each source's activity. */
export function webhookEventsRole(source: Env) {
  const parts = composeParts(source, 'The webhook events function');
  const env = requireSettings(parts.env, 'The webhook events function', ['WEBHOOK_TABLE_NAME']);
  return {
    ...routeParts(parts),
    policy: parts.policy,
    log: new DeliveryLog({ client: createDocumentClient(), tableName: env.WEBHOOK_TABLE_NAME }),
  };
}

/** The admin routes: kill switches and cache invalidation. */
export function adminRole(source: Env) {
  const parts = composeParts(source, 'The admin function');
  requireSettings(parts.env, 'The admin function', ['RESILIENCE_TABLE_NAME']);
  return {
    ...routeParts(parts),
    registry: parts.registry,
    policy: parts.policy,
    switches: parts.switches,
    cache: parts.cache,
  };
}

/** /mcp: every tool over MCP, proposals and decisions included; it verifies tokens itself. */
export function mcpRole(source: Env) {
  const parts = composeParts(source, 'The MCP function');
  const env = requireSettings(parts.env, 'The MCP function', [
    'JWT_ISSUER',
    'CONFIRMATIONS_TABLE_NAME',
    'OPERATIONS_TABLE_NAME',
    'WRITE_QUEUE_URL',
  ]);
  const list = (value: string) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  return {
    ...routeParts(parts),
    registry: parts.registry,
    policy: parts.policy,
    runner: parts.runner(),
    proposals: parts.proposals,
    argumentRules: parts.argumentRules,
    decisions: {
      registry: parts.registry,
      policy: parts.policy,
      writes: parts.writes,
      argumentRules: parts.argumentRules,
      consoleClientId: env.CONSOLE_CLIENT_ID,
    },
    listing: env.MCP_TOOL_LISTING,
    pinned: list(env.MCP_PINNED_TOOLS),
    issuer: env.MCP_AUTHORIZATION_SERVER ?? env.JWT_ISSUER,
    allowedOrigins: list(env.MCP_ALLOWED_ORIGINS),
    publicBaseUrl: env.PUBLIC_BASE_URL,
  };
}

/** The prefetch queue's worker: fills conversation-start prefetches. */
export function prefetchRole(source: Env) {
  const parts = composeParts(source, 'The prefetch function');
  requireSettings(parts.env, 'The prefetch function', ['RESILIENCE_TABLE_NAME']);
  return { logger: parts.logger, runner: parts.runner() };
}

/** The write queue's worker: starts each confirmed write's saga when its systems are ready. */
export function writeWorkerRole(source: Env) {
  const parts = composeParts(source, 'The write worker');
  const env = requireSettings(parts.env, 'The write worker', [
    'OPERATIONS_TABLE_NAME',
    'WRITE_QUEUE_URL',
    'SAGA_STATE_MACHINE_PREFIX',
  ]);
  return {
    logger: parts.logger,
    registry: parts.registry,
    runner: parts.runner(),
    operations: parts.writes().operations,
    queueUrl: env.WRITE_QUEUE_URL,
    stateMachinePrefix: env.SAGA_STATE_MACHINE_PREFIX,
    wait: {
      windowSeconds: env.WRITE_WAIT_WINDOW_SECONDS,
      firstDelaySeconds: env.WRITE_WAIT_FIRST_DELAY_SECONDS,
    },
  };
}

/** A saga task: runs or compensates one step of a confirmed write. */
export function sagaStepRole(source: Env) {
  const parts = composeParts(source, 'The saga step function');
  const env = requireSettings(parts.env, 'The saga step function', [
    'OPERATIONS_TABLE_NAME',
    'IDEMPOTENCY_TABLE_NAME',
  ]);
  return {
    logger: parts.logger,
    registry: parts.registry,
    runner: parts.runner(),
    operations: parts.writes().operations,
    idempotencyTable: env.IDEMPOTENCY_TABLE_NAME,
    notifier: parts.notifier(),
  };
}

/** POST /webhooks/{source}: verifies, de-duplicates and queues a delivery. */
export function webhookReceiveRole(source: Env): ReceiveDeps & { logger: typeof logger } {
  const env = requireSettings(parseEnv(source), 'The webhook endpoint', [
    'WEBHOOK_TABLE_NAME',
    'EVENTS_QUEUE_URL',
  ]);
  const client = createDocumentClient();
  return {
    env: source,
    logger,
    secrets: secretProvider(env),
    receipts: new WebhookReceipts({ client, tableName: env.WEBHOOK_TABLE_NAME }),
    log: new DeliveryLog({
      client,
      tableName: env.WEBHOOK_TABLE_NAME,
      retentionDays: env.WEBHOOK_EVENT_RETENTION_DAYS,
    }),
    queue: new EventsQueue({ client: createSqsClient(), queueUrl: env.EVENTS_QUEUE_URL }),
    maxBodyBytes: env.WEBHOOK_MAX_BODY_BYTES,
    publicBaseUrl: env.PUBLIC_BASE_URL,
  };
}

/**
 * The events queue's worker: the event log and the subscribers (cache invalidation, and the
 * EventBridge bus when EVENT_BUS_NAME is set).
 */
export async function webhookProcessRole(
  source: Env,
): Promise<ProcessDeps & { logger: typeof logger }> {
  const env = requireSettings(parseEnv(source), 'The webhook event worker', [
    'WEBHOOK_TABLE_NAME',
    'RESILIENCE_TABLE_NAME',
  ]);
  const client = createDocumentClient();
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
      tableName: env.WEBHOOK_TABLE_NAME,
      retentionDays: env.WEBHOOK_EVENT_RETENTION_DAYS,
    }),
    subscribers,
  };
}

/** The audit lines' subscriber: the audit table (AUDIT_TABLE_NAME), written in batches. */
export function auditIngestRole(source: Env) {
  const env = requireSettings(parseEnv(source), 'The audit ingest function', ['AUDIT_TABLE_NAME']);
  return {
    logger,
    table: new DynamoAuditTable({
      client: createDocumentClient(),
      tableName: env.AUDIT_TABLE_NAME,
      retentionDays: env.AUDIT_RETENTION_DAYS,
    }),
  };
}

/**
 * The notifications topic's subscriber: posts each notification to the chats whose webhook
 * secrets are set (SLACK_WEBHOOK_SECRET_ID, TEAMS_WEBHOOK_SECRET_ID); none set, it posts nothing.
 */
export function notifyRole(source: Env) {
  const env = parseEnv(source);
  return { logger, chats: chatNotifierFrom(env, { secrets: secretProvider(env), logger }) };
}
