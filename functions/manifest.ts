/**
 * Every function of the gateway and every route it serves, in one table that both the CDK app
 * (infra/constructs/gateway-functions.ts) and local mode (local/start-local.ts) loop over: local
 * mode serves exactly the routes API Gateway is given, and a new route or function is one entry.
 *
 * An entry says what the function is (its handler module), how it is reached (routes, a queue it
 * reads, a topic it is subscribed to, or the saga that invokes it) and what it needs: the stores,
 * queues and topics it uses and how, the systems it calls and the settings groups it reads. The
 * CDK app turns the needs into environment variables and least-privilege grants; local mode into
 * the same variables over its emulators. Nothing here imports a handler or CDK, so both sides
 * load it cheaply (the tables' key modules it names indexes from are plain data).
 */

import { auditTable } from '../layers/audit/audit-table.ts';
import { webhookLogIndex } from '../layers/webhooks/delivery-log.ts';
import { confirmationsTable } from '../layers/writes/confirmation-store.ts';
import { operationsTable } from '../layers/writes/operations-table.ts';

/** The stateful resources (infra/stacks/stateful-stack.ts; local/emulators.ts locally). */
export type TableName =
  | 'audit'
  | 'confirmations'
  | 'operations'
  | 'idempotency'
  | 'resilience'
  | 'webhooks'
  /** Users' connections to systems called on their behalf (tokens; customer-managed KMS key). */
  | 'connections';
export type QueueName = 'write' | 'events' | 'prefetch';
/** The SNS topics (infra/stacks/stateful-stack.ts; local/notification-topic.ts locally). */
export type TopicName = 'notifications';
/** `Query` on these indexes only; `TABLE_KEY` names the table's own key. */
export interface IndexQuery {
  readonly Query: readonly string[];
}
export type TableAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | IndexQuery;
/** In an `IndexQuery`: a Query on the table's own key, not an index. */
export const TABLE_KEY = 'table';
export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The routes without API Gateway's JWT authorizer fall into these groups for their limits. */
export type OpenRouteGroup = 'metadata' | 'mcp' | 'webhooks' | 'console';

export interface RouteEntry {
  readonly method: HttpVerb;
  /** API Gateway route path, e.g. `/tools/{name}`; `{tool}` in a per-tool function's route is each tool's name. */
  readonly path: string;
}

/**
 * Which business systems a function calls: their base URLs, credentials (read access to their
 * secrets) and settings. `tool`: the systems of the tool it serves (one function per tool).
 */
export type SystemsNeed = 'tool' | 'all' | 'write-readiness' | 'prefetch';

/**
 * Which items of the resilience table it touches (infra/constructs/resilience-access.ts):
 * `run`: what running its tools needs (switches, breakers, budgets, caches, user limits, prefetch);
 * `breakers`: the breakers and budgets of its systems; `admin`: switches and cache invalidation;
 * `invalidate`: the caches webhook events make stale; `watch`: reads the switches and every
 * system's breaker, rate budget and call metrics (GET /systems).
 */
export type ResilienceNeed = 'run' | 'breakers' | 'admin' | 'invalidate' | 'watch';

/** Settings groups a function reads besides its stores (layers/config/env.ts). */
export type SettingsGroup =
  | 'callers'
  | 'mail'
  | 'write-wait'
  | 'sagas'
  | 'webhook-secrets'
  | 'event-bus'
  | 'console'
  | 'chat-webhooks'
  | 'sign-in'
  /** Reads the policy (implied by `callers`): a function that runs tools without a caller's token. */
  | 'policy'
  /** How users connect to the systems called on their behalf: base URLs, OAuth client ids. */
  | 'user-credentials';

export interface FunctionEntry {
  /** Stable name: local mode's function name; in PascalCase, the CDK construct id. */
  readonly name: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /**
   * `tool`: one function per tool on AWS (TOOL_NAME set), each with its own route; `write-tool`:
   * one per write tool (the saga steps). Local mode runs one instance for all of them.
   */
  readonly per?: 'tool' | 'write-tool';
  readonly routes?: readonly RouteEntry[];
  /** Routes without the JWT authorizer: their limits group and why that is safe. */
  readonly open?: { readonly group: OpenRouteGroup; readonly reason: string };
  /** Reads a queue as its event source (partial batch failures when it reports them). */
  readonly consumes?: {
    readonly queue: QueueName;
    readonly batchSize: number;
    readonly partialFailures: boolean;
    /** Why the event source has no on-failure destination (cdk-nag). */
    readonly reason: string;
    /** Changes the visibility of messages it holds back (so it is given the queue's URL). */
    readonly changesVisibility?: boolean;
  };
  /** Invoked by each write tool's saga state machine (Step Functions), not by a route or queue. */
  readonly invokedBySaga?: true;
  /** Invoked by SNS (asynchronously) with each message published to the topic. */
  readonly subscribes?: {
    readonly topic: TopicName;
    /** Why neither the subscription nor the function has a dead-letter queue (cdk-nag). */
    readonly reason: string;
  };
  /**
   * Publishes to these topics: it is given their ARNs and allowed to publish. For a `tool`
   * function, only the write tools' instances (they propose; read tools notify nobody).
   */
  readonly publishes?: readonly TopicName[];
  readonly tables?: Readonly<Partial<Record<TableName, readonly TableAction[]>>>;
  readonly sends?: readonly QueueName[];
  readonly systems?: SystemsNeed;
  readonly resilience?: ResilienceNeed;
  readonly settings?: readonly SettingsGroup[];
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /**
   * Writes one audit line per call to its log (layers/audit/audit-log.ts): on AWS its log group
   * is subscribed to the audit ingest, and it is given no write access to the audit table.
   */
  readonly audits?: true;
  /**
   * Subscribed to the log groups of the functions that audit (CloudWatch Logs invokes it
   * asynchronously); failed deliveries go to an on-failure queue, alarmed.
   */
  readonly ingestsAuditLogs?: true;
  /**
   * Files built beside the handler: `console`, the web console (functions/console/build.ts), into
   * the bundle's `console/` on AWS and into the data directory in local mode (CONSOLE_ASSETS_DIR);
   * `argument-rules`, the Cedar engine's WebAssembly and infra/policy/*.cedar, for the functions
   * that call tools (local mode reads them where they are).
   */
  readonly assets?: 'console' | 'argument-rules';
}

/** What a function that answers an authenticated route and audits it needs in common. */
const audited = { settings: ['callers'], audits: true } as const;

export const functions = [
  {
    name: 'health',
    entry: 'functions/health/check/handler.ts',
    description: 'GET /health',
    routes: [{ method: 'GET', path: '/health' }],
    open: {
      group: 'metadata',
      reason:
        'GET /health is the unauthenticated liveness check of DESIGN.md; it reads nothing and calls no system.',
    },
  },
  {
    name: 'catalog',
    entry: 'functions/catalog/list/handler.ts',
    description: 'GET /tools, GET /tools/{name}, POST /tools/{name} for unknown names',
    routes: [
      { method: 'GET', path: '/tools' },
      { method: 'GET', path: '/tools/{name}' },
      { method: 'POST', path: '/tools/{name}' },
    ],
    ...audited,
  },
  {
    name: 'tools',
    entry: 'functions/tools/call/handler.ts',
    description: 'POST /tools/{tool}',
    per: 'tool',
    routes: [{ method: 'POST', path: '/tools/{tool}' }],
    settings: ['callers', 'mail'],
    audits: true,
    // connections: a user's tokens for a system called on their behalf (lease, refresh: UpdateItem).
    tables: { confirmations: ['GetItem', 'PutItem'], connections: ['GetItem', 'UpdateItem'] },
    sends: ['prefetch'],
    publishes: ['notifications'],
    systems: 'tool',
    resilience: 'run',
    assets: 'argument-rules',
  },
  {
    name: 'conversation-prefetch',
    entry: 'functions/tools/prefetch/handler.ts',
    description: 'Conversation-start prefetch of get_customer_context (prefetch queue)',
    consumes: {
      queue: 'prefetch',
      batchSize: 10,
      partialFailures: false,
      reason:
        "A prefetch is best effort: the function logs and drops one that fails (the agent's own call then runs live), and prefetch messages expire after 5 minutes.",
    },
    systems: 'prefetch',
    resilience: 'run',
    // get_customer_context checks each part against the caller's roles.
    settings: ['mail', 'policy'],
    tables: { connections: ['GetItem', 'UpdateItem'] },
  },
  {
    name: 'confirmations',
    entry: 'functions/confirmations/decide/handler.ts',
    description: 'GET /confirmations, GET, POST and DELETE /confirmations/{id}',
    routes: [
      { method: 'GET', path: '/confirmations' },
      { method: 'GET', path: '/confirmations/{id}' },
      { method: 'POST', path: '/confirmations/{id}' },
      { method: 'DELETE', path: '/confirmations/{id}' },
    ],
    settings: ['callers', 'console'],
    audits: true,
    tables: {
      confirmations: ['GetItem', 'UpdateItem', { Query: [confirmationsTable.pendingIndex.name] }],
      operations: ['GetItem', 'PutItem'],
    },
    sends: ['write'],
  },
  {
    name: 'operations',
    entry: 'functions/operations/get/handler.ts',
    description: 'GET /operations/{id}, GET /operations',
    routes: [
      { method: 'GET', path: '/operations/{id}' },
      { method: 'GET', path: '/operations' },
    ],
    settings: ['callers'],
    audits: true,
    tables: {
      operations: [
        'GetItem',
        {
          Query: [
            operationsTable.byOwnerIndex.name,
            operationsTable.byStatusIndex.name,
            operationsTable.byToolIndex.name,
            operationsTable.byCreatedIndex.name,
          ],
        },
      ],
    },
  },
  {
    name: 'audit-search',
    entry: 'functions/audit/search/handler.ts',
    description: 'GET /audit, GET /audit/{auditId}',
    routes: [
      { method: 'GET', path: '/audit' },
      { method: 'GET', path: '/audit/{auditId}' },
    ],
    settings: ['callers'],
    audits: true,
    tables: {
      audit: [
        // A record by id is a Query of the day index (its id holds its time): no GetItem.
        {
          Query: [
            TABLE_KEY,
            auditTable.byToolIndex.name,
            auditTable.byConversationIndex.name,
            auditTable.byRequestIndex.name,
            auditTable.byDayIndex.name,
          ],
        },
      ],
    },
  },
  {
    name: 'audit-ingest',
    entry: 'functions/audit/ingest/handler.ts',
    description: 'Writes the audit lines of the auditing functions to the audit table',
    ingestsAuditLogs: true,
    // Each delivery's lines in batches of 25 (a redelivered line overwrites its own item).
    tables: { audit: ['BatchWriteItem'] },
    timeoutSeconds: 60,
  },
  {
    name: 'write-worker',
    entry: 'functions/writes/worker/handler.ts',
    description: 'Starts the saga of each confirmed write from the write queue',
    consumes: {
      queue: 'write',
      batchSize: 10,
      partialFailures: true,
      changesVisibility: true,
      reason:
        'Waiting writes return to the write queue after growing pauses and are given up by the worker after their window; messages the worker cannot handle go to its dead-letter queue after maxReceiveCount (alarmed); an on-failure destination would duplicate that.',
    },
    // A write whose system stayed down for the whole window ends rolled back.
    tables: { operations: ['UpdateItem'] },
    systems: 'write-readiness',
    resilience: 'breakers',
    settings: ['write-wait', 'sagas'],
    timeoutSeconds: 30,
  },
  {
    name: 'saga-step',
    entry: 'functions/writes/step/handler.ts',
    description: 'Saga steps of {tool}',
    per: 'write-tool',
    invokedBySaga: true,
    // An operation that ends failed (a compensation failed) tells people it needs them.
    publishes: ['notifications'],
    tables: {
      operations: ['GetItem', 'UpdateItem'],
      idempotency: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
      // A step of a system called on behalf of users runs with the proposer's connection.
      connections: ['GetItem', 'UpdateItem'],
    },
    systems: 'tool',
    resilience: 'breakers',
    settings: ['mail'],
    timeoutSeconds: 30,
  },
  {
    name: 'mcp',
    entry: 'functions/mcp/serve/handler.ts',
    description: 'POST /mcp, GET /.well-known/oauth-protected-resource',
    routes: [
      { method: 'POST', path: '/mcp' },
      { method: 'GET', path: '/mcp' },
      { method: 'DELETE', path: '/mcp' },
      { method: 'GET', path: '/.well-known/oauth-protected-resource' },
    ],
    open: {
      group: 'mcp',
      reason:
        'MCP verifies the bearer token in the function (MCP authorization needs its own 401 with resource metadata); the protected resource metadata is public by design.',
    },
    settings: ['callers', 'mail', 'console'],
    audits: true,
    tables: {
      confirmations: ['GetItem', 'PutItem', 'UpdateItem'],
      operations: ['GetItem', 'PutItem'],
      connections: ['GetItem', 'UpdateItem'],
    },
    sends: ['write', 'prefetch'],
    publishes: ['notifications'],
    systems: 'all',
    resilience: 'run',
    assets: 'argument-rules',
  },
  {
    name: 'open-api',
    entry: 'functions/openapi/document/handler.ts',
    description: 'GET /openapi.json',
    routes: [{ method: 'GET', path: '/openapi.json' }],
    open: {
      group: 'metadata',
      reason: 'The OpenAPI document describes the API and holds no data; it is public by design.',
    },
  },
  {
    name: 'console',
    entry: 'functions/console/handler.ts',
    description: 'GET /console, GET /console/{proxy+}: the web console',
    routes: [
      { method: 'GET', path: '/console' },
      { method: 'GET', path: '/console/{proxy+}' },
    ],
    open: {
      group: 'console',
      reason:
        "The console's page, script and style sheet are the same public files for everyone and hold no data: a browser must load them before the person signs in. Every call they make to the API carries the person's bearer token, checked there like any other.",
    },
    settings: ['console', 'sign-in'],
    assets: 'console',
  },
  {
    name: 'admin-switches',
    entry: 'functions/admin/switches/handler.ts',
    description:
      'GET /admin/switches, PUT /admin/switches/{kind}/{name}, POST /admin/cache/{tool}/invalidate',
    routes: [
      { method: 'GET', path: '/admin/switches' },
      { method: 'PUT', path: '/admin/switches/{kind}/{name}' },
      { method: 'POST', path: '/admin/cache/{tool}/invalidate' },
    ],
    ...audited,
    resilience: 'admin',
  },
  {
    name: 'connections',
    entry: 'functions/connections/manage/handler.ts',
    description: 'GET /connections, POST and DELETE /connections/{system}',
    routes: [
      { method: 'GET', path: '/connections' },
      { method: 'POST', path: '/connections/{system}' },
      { method: 'DELETE', path: '/connections/{system}' },
    ],
    ...audited,
    settings: ['callers', 'user-credentials'],
    // The caller's connections (Query), a pending authorization (Put), a revoke (Delete).
    tables: { connections: [{ Query: [TABLE_KEY] }, 'PutItem', 'DeleteItem'] },
  },
  {
    name: 'connection-callback',
    entry: 'functions/connections/callback/handler.ts',
    description: 'GET /connections/{system}/callback',
    routes: [{ method: 'GET', path: '/connections/{system}/callback' }],
    open: {
      group: 'console',
      reason:
        "The system redirects the person's browser here after consent, and a redirect carries no bearer token: the single-use, expiring state that POST /connections/{system} made for that person (with its PKCE verifier, kept server-side) is the proof, and the code works only with that verifier.",
    },
    settings: ['user-credentials'],
    // Each connection made or refused is in the audit trail, under the person it was started for.
    audits: true,
    // Takes the pending authorization (Delete, once) and stores the tokens (Put).
    tables: { connections: ['DeleteItem', 'PutItem'] },
  },
  {
    name: 'systems',
    entry: 'functions/systems/list/handler.ts',
    description: 'GET /systems',
    routes: [{ method: 'GET', path: '/systems' }],
    ...audited,
    resilience: 'watch',
  },
  {
    name: 'webhook-events',
    entry: 'functions/webhooks/events/handler.ts',
    description: 'GET /webhooks/events',
    routes: [{ method: 'GET', path: '/webhooks/events' }],
    settings: ['callers'],
    audits: true,
    tables: { webhooks: [{ Query: [webhookLogIndex.name] }, 'BatchGetItem'] },
  },
  {
    name: 'webhook-receive',
    entry: 'functions/webhooks/receive/handler.ts',
    description: 'POST /webhooks/{source}',
    routes: [{ method: 'POST', path: '/webhooks/{source}' }],
    open: {
      group: 'webhooks',
      reason:
        'SaaS senders cannot present our JWTs: every delivery is authenticated by its vendor signature (HMAC over the raw body with the source secret, timestamps checked) before anything is queued.',
    },
    // Receipts (Put, Delete), the delivery log (BatchWrite) and its counters (Update).
    tables: { webhooks: ['PutItem', 'DeleteItem', 'BatchWriteItem', 'UpdateItem'] },
    sends: ['events'],
    settings: ['webhook-secrets'],
  },
  {
    name: 'webhook-process',
    entry: 'functions/webhooks/process/handler.ts',
    description: 'Webhook events queue worker: event log, cache invalidation, EventBridge',
    consumes: {
      queue: 'events',
      batchSize: 10,
      partialFailures: true,
      reason:
        'Failed events return to the events queue and, after maxReceiveCount, go to its dead-letter queue (alarmed); an on-failure destination would duplicate that.',
    },
    tables: { webhooks: ['PutItem', 'UpdateItem'] },
    resilience: 'invalidate',
    settings: ['event-bus'],
    timeoutSeconds: 30,
  },
  {
    name: 'notify',
    entry: 'functions/notifications/notify/handler.ts',
    description: 'Tells people on Slack and Microsoft Teams what the notifications topic carries',
    subscribes: {
      topic: 'notifications',
      reason:
        "Notifications are best effort, never the record: a waiting confirmation stays in the console's inbox until decided or expired, and a failed operation raises its alarm. SNS retries deliveries to the function and Lambda retries a failed invocation twice; the function never fails on a chat that is down (it retries a little and logs), so a dead-letter queue would only collect stale notifications.",
    },
    settings: ['chat-webhooks'],
    timeoutSeconds: 30,
  },
] as const satisfies readonly FunctionEntry[];

export type FunctionName = (typeof functions)[number]['name'];

/** The environment variable of each store and queue, as layers/config/env.ts reads them. */
export const tableEnvNames: Readonly<Record<TableName, string>> = {
  audit: 'AUDIT_TABLE_NAME',
  confirmations: 'CONFIRMATIONS_TABLE_NAME',
  operations: 'OPERATIONS_TABLE_NAME',
  idempotency: 'IDEMPOTENCY_TABLE_NAME',
  resilience: 'RESILIENCE_TABLE_NAME',
  webhooks: 'WEBHOOK_TABLE_NAME',
  connections: 'CONNECTIONS_TABLE_NAME',
};
export const queueEnvNames: Readonly<Record<QueueName, string>> = {
  write: 'WRITE_QUEUE_URL',
  events: 'EVENTS_QUEUE_URL',
  prefetch: 'PREFETCH_QUEUE_URL',
};
export const topicEnvNames: Readonly<Record<TopicName, string>> = {
  notifications: 'NOTIFICATIONS_TOPIC_ARN',
};

/**
 * Every route, with its function, as served: a per-tool function's `{tool}` route once per tool.
 *
 * @example
 * servedRoutes(['get_customer']); // [..., { method: 'POST', path: '/tools/get_customer', function: 'tools', tool: 'get_customer' }, ...]
 */
export function servedRoutes(
  toolNames: readonly string[],
): { method: HttpVerb; path: string; function: FunctionName; open: boolean; tool?: string }[] {
  return functions.flatMap((fn: FunctionEntry & { name: FunctionName }) =>
    (fn.routes ?? []).flatMap((route) =>
      fn.per === 'tool'
        ? toolNames.map((tool) => ({
            method: route.method,
            path: route.path.replace('{tool}', tool),
            function: fn.name,
            open: Boolean(fn.open),
            tool,
          }))
        : [{ method: route.method, path: route.path, function: fn.name, open: Boolean(fn.open) }],
    ),
  );
}
