import { Duration, Stack } from 'aws-cdk-lib';
import {
  type HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  type FunctionEntry,
  functions,
  type QueueName,
  queueEnvNames,
  type SettingsGroup,
  TABLE_KEY,
  type TableAction,
  type TableName,
  type TopicName,
  tableEnvNames,
  topicEnvNames,
} from '../../functions/manifest.ts';
import { systemSettingNames } from '../../layers/config/system-settings.ts';
import { type ChatChannel, chatChannels } from '../../layers/notifications/chat-notifier.ts';
import { systems } from '../../layers/systems/registry.ts';
import { type AnyTool, type AnyWriteTool, isWriteTool } from '../../layers/tools/define.ts';
import { conversationPrefetchOf } from '../../layers/tools/prefetch.ts';
import { webhookSecretEnvName } from '../../layers/webhooks/sources.ts';
import { cacheInvalidations } from '../../layers/webhooks/subscribers.ts';
import type { StageConfig } from '../config/stage-config.ts';
import { acknowledgePublicRoute } from '../policy-checks.ts';
import { AuditLogDelivery } from './audit-log-delivery.ts';
import { GatewayFunction } from './gateway-function.ts';
import { pascal } from './names.ts';
import type { PolicyConfiguration } from './policy-configuration.ts';
import type { PrivateNetwork } from './private-network.ts';
import { QueueWorker } from './queue-worker.ts';
import {
  accessToRun,
  cachedTools,
  grantResilienceAccess,
  type ResilienceAccess,
} from './resilience-access.ts';
import {
  grantDatabaseConnect,
  grantExchangeSecret,
  type SystemConnections,
  systemEnvironment,
  userCredentialEnvironment,
} from './system-environment.ts';
import { TopicSubscriber } from './topic-subscriber.ts';

/** What the functions of functions/manifest.ts are given: the stage's stores, queues and secrets. */
export interface GatewayResources {
  readonly config: StageConfig;
  readonly tools: readonly AnyTool[];
  readonly api: HttpApi;
  readonly tables: Readonly<Record<TableName, Table>>;
  readonly queues: Readonly<Record<QueueName, Queue>>;
  /** Dead-letter queues of the queues that have one (the prefetch queue is best effort). */
  readonly deadLetterQueues: Readonly<Partial<Record<QueueName, Queue>>>;
  readonly connections: SystemConnections;
  /** Webhook source id → its signing-secret store. */
  readonly webhookSecrets: ReadonlyMap<string, Secret>;
  readonly bus: EventBus;
  readonly topics: Readonly<Record<TopicName, Topic>>;
  /** Each chat's webhook URL secret, for the function that posts notifications. */
  readonly chatWebhookSecrets: ReadonlyMap<ChatChannel, Secret>;
  readonly network: PrivateNetwork | undefined;
  readonly alarmAction: IAlarmAction;
  /** The policy, for the functions that read it (those of callers, and the `policy` group). */
  readonly policy: PolicyConfiguration;
  /**
   * Where each tool's functions go (its function, saga step, routes, audit subscription): a
   * nested stack of the API stack (infra/stacks/tool-stacks.ts).
   * @default the scope the functions are built in
   */
  readonly toolScope?: (tool: AnyTool) => Construct;
}

/** One deployed function: its manifest entry and, for per-tool entries, its tool. */
export interface BuiltFunction {
  readonly entry: FunctionEntry;
  readonly tool: AnyTool | undefined;
  readonly function: IFunction;
  readonly logGroup: ILogGroup;
}

/** Why the audit ingest has no dead-letter queue: it has an on-failure destination (cdk-nag). */
const INGEST_NO_DLQ =
  'CloudWatch Logs invokes the audit ingest asynchronously: a delivery it still fails after Lambda retries goes to its on-failure destination queue (AuditLogDelivery, alarmed), which keeps more than a dead-letter queue would.';

/** What the alarms of each worker queue say. */
const queueAlarmTexts: Readonly<
  Partial<Record<QueueName, { deadLetters: string; oldest: (minutes: number) => string }>>
> = {
  write: {
    deadLetters: 'Confirmed writes reached the dead-letter queue: they were not started',
    oldest: (minutes) => `A confirmed write has waited in the queue for over ${minutes} minutes`,
  },
  events: {
    deadLetters: 'Webhook events reached the dead-letter queue: they were not processed',
    oldest: (minutes) => `A webhook event has waited in the queue for over ${minutes} minutes`,
  },
};

/**
 * Grants exactly the listed DynamoDB actions on a table: item actions on the table itself, `Query`
 * on the named indexes only (and on the table's own key where `TABLE_KEY` is named); no Scan, no
 * streams.
 */
export function grantTable(
  grantee: IFunction,
  table: Table,
  actions: readonly TableAction[],
): void {
  const itemActions = actions.filter((action) => typeof action === 'string');
  if (itemActions.length > 0)
    Grant.addToPrincipal({
      grantee,
      actions: itemActions.map((action) => `dynamodb:${action}`),
      resourceArns: [table.tableArn],
    });
  // A table under a customer-managed key is read and written through that key: decrypt for
  // reads, encrypt too for writes, nothing more (no kms:CreateGrant).
  const key = table.encryptionKey;
  if (key && actions.length > 0) {
    const writes = itemActions.some((action) => !['GetItem', 'BatchGetItem'].includes(action));
    // Named actions, no wildcards (kms:GenerateDataKey*, kms:ReEncrypt* are more than DynamoDB needs).
    if (writes) key.grant(grantee, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    else key.grant(grantee, 'kms:Decrypt');
  }
  const queried = actions.flatMap((action) => (typeof action === 'string' ? [] : action.Query));
  if (queried.length > 0)
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: queried.map((index) =>
        index === TABLE_KEY ? table.tableArn : `${table.tableArn}/index/${index}`,
      ),
    });
}

/**
 * Builds every function of functions/manifest.ts, one per tool where the entry says so: its
 * environment and least-privilege grants from the entry's needs, its routes (with the JWT
 * authorizer unless the entry is open, with its reason), and the queue it works.
 *
 * @example
 * const built = buildGatewayFunctions(this, resources);
 */
export function buildGatewayFunctions(
  scope: Construct,
  resources: GatewayResources,
): BuiltFunction[] {
  const { config, tools, tables, queues } = resources;
  const prefetchTool = tools.find((tool) => tool.name === conversationPrefetchOf.tool);
  const userLimits = config.userRateLimit !== 'off';
  const built: BuiltFunction[] = [];

  for (const entry of functions as readonly FunctionEntry[]) {
    if (entry.name === 'conversation-prefetch' && !prefetchTool) continue;
    const instances: (AnyTool | undefined)[] =
      entry.per === 'tool'
        ? [...tools]
        : entry.per === 'write-tool'
          ? tools.filter(isWriteTool)
          : [undefined];
    for (const tool of instances) {
      // What this instance uses of what the entry allows: a read tool stores no confirmation; only
      // tools naming a customer start the prefetch (and the prefetched tool only reads it).
      const startsPrefetch =
        prefetchTool !== undefined &&
        (entry.per === 'tool'
          ? tool !== prefetchTool && !isWriteTool(tool as AnyTool) && startsPrefetchOf(tool)
          : entry.name === 'mcp');
      const usesPrefetch =
        prefetchTool !== undefined &&
        (startsPrefetch || tool === prefetchTool || entry.name === 'conversation-prefetch');
      // Users' tokens only where a system of the instance is called on behalf of users.
      const onBehalf =
        entry.settings?.includes('user-credentials') ||
        systemsOf(entry, tool, tools, prefetchTool).some((id) => config.systemOAuthClientIds[id]);
      const tableNeeds = Object.entries(entry.tables ?? {}).filter(
        ([name]) =>
          !(name === 'confirmations' && entry.per === 'tool' && !isWriteTool(tool as AnyTool)) &&
          !(name === 'connections' && !onBehalf),
      ) as [TableName, readonly TableAction[]][];
      const sends = (entry.sends ?? []).filter((queue) => queue !== 'prefetch' || startsPrefetch);
      // A read tool's function proposes nothing, so it tells nobody.
      const publishes =
        entry.per === 'tool' && !isWriteTool(tool as AnyTool) ? [] : (entry.publishes ?? []);
      const resilienceTools = tool
        ? [tool]
        : entry.name === 'conversation-prefetch'
          ? [prefetchTool as AnyTool]
          : [...tools];
      const systemIds = systemsOf(entry, tool, tools, prefetchTool);

      const environment: Record<string, string> = {
        STAGE: config.stage,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...(config.powertoolsTracer ? { POWERTOOLS_TRACE_ENABLED: 'true' } : {}),
        ...(config.publicBaseUrl ? { PUBLIC_BASE_URL: config.publicBaseUrl } : {}),
      };
      if (tool) environment.TOOL_NAME = tool.name;
      for (const [name] of tableNeeds) environment[tableEnvNames[name]] = tables[name].tableName;
      if (entry.resilience) environment[tableEnvNames.resilience] = tables.resilience.tableName;
      for (const queue of sends) environment[queueEnvNames[queue]] = queues[queue].queueUrl;
      for (const topic of publishes)
        environment[topicEnvNames[topic]] = resources.topics[topic].topicArn;
      if (entry.consumes?.changesVisibility)
        environment[queueEnvNames[entry.consumes.queue]] = queues[entry.consumes.queue].queueUrl;
      if (usesPrefetch) environment.CONVERSATION_PREFETCH = 'queue';
      if (entry.resilience === 'run') environment.USER_RATE_LIMIT = config.userRateLimit;
      const readsSecrets = ['webhook-secrets', 'chat-webhooks'] as const;
      if (systemIds.length > 0 || readsSecrets.some((group) => entry.settings?.includes(group))) {
        environment.SECRETS_SOURCE = 'secretsmanager';
        environment.SECRETS_MAX_AGE_SECONDS = String(config.secretsMaxAgeSeconds);
      }
      Object.assign(
        environment,
        systemEnvironment(resources.connections, systemIds, describe(entry, tool)),
      );
      for (const group of entry.settings ?? [])
        Object.assign(environment, settingsOf(group, resources));
      // Every function that authorizes callers or runs tools reads the policy.
      const readsPolicy = ['callers', 'policy'].some((group) =>
        entry.settings?.includes(group as SettingsGroup),
      );
      if (readsPolicy) Object.assign(environment, resources.policy.environment);

      const placement = resources.network?.placementFor(environment);
      const home = tool && resources.toolScope ? resources.toolScope(tool) : scope;
      const gatewayFunction = new GatewayFunction(home, instanceId(entry, tool), {
        entry: entry.entry,
        description: describe(entry, tool),
        environment,
        logRetention: config.logRetentionDays,
        tracer: config.powertoolsTracer,
        ...(entry.timeoutSeconds ? { timeout: Duration.seconds(entry.timeoutSeconds) } : {}),
        ...(placement ? { placement } : {}),
        ...(entry.subscribes
          ? { asynchronous: { noDeadLetterReason: entry.subscribes.reason } }
          : entry.ingestsAuditLogs
            ? { asynchronous: { noDeadLetterReason: INGEST_NO_DLQ } }
            : {}),
        ...(entry.assets ? { assets: entry.assets } : {}),
      });
      const fn = gatewayFunction.function;

      for (const [name, actions] of tableNeeds) grantTable(fn, tables[name], actions);
      for (const queue of sends) queues[queue].grantSendMessages(fn);
      for (const topic of publishes) resources.topics[topic].grantPublish(fn);
      for (const systemId of systemIds) resources.connections.secrets.get(systemId)?.grantRead(fn);
      grantDatabaseConnect(fn, resources.connections, systemIds);
      grantExchangeSecret(fn, resources.connections, systemIds);
      if (entry.settings?.includes('webhook-secrets'))
        for (const secret of resources.webhookSecrets.values()) secret.grantRead(fn);
      if (entry.settings?.includes('chat-webhooks'))
        for (const secret of resources.chatWebhookSecrets.values()) secret.grantRead(fn);
      if (entry.settings?.includes('event-bus')) resources.bus.grantPutEventsTo(fn);
      if (readsPolicy) resources.policy.grantRead(fn);
      const access = resilienceAccess(entry, resilienceTools, systemIds, {
        userLimits,
        prefetch:
          usesPrefetch && prefetchTool
            ? { tool: prefetchTool.name, starts: startsPrefetch }
            : undefined,
        allTools: tools,
      });
      if (access) grantResilienceAccess(fn, tables.resilience, access);

      addRoutes(resources.api, home, entry, tool, fn);
      if (entry.subscribes)
        new TopicSubscriber(scope, `${pascal(entry.subscribes.topic)}TopicSubscriber`, {
          topic: resources.topics[entry.subscribes.topic],
          subscriber: fn,
          noDeadLetterReason: entry.subscribes.reason,
        });
      if (entry.consumes) {
        const { queue } = entry.consumes;
        const deadLetterQueue = resources.deadLetterQueues[queue];
        const texts = queueAlarmTexts[queue];
        new QueueWorker(scope, `${pascal(queue)}QueueWorker`, {
          queue: queues[queue],
          worker: fn,
          batchSize: entry.consumes.batchSize,
          partialFailures: entry.consumes.partialFailures,
          noDestinationReason: entry.consumes.reason,
          ...(deadLetterQueue && texts
            ? {
                deadLetters: {
                  queue: deadLetterQueue,
                  name: queue,
                  alarmAction: resources.alarmAction,
                  deadLetterDescription: texts.deadLetters,
                  oldestDescription: texts.oldest,
                },
              }
            : {}),
        });
      }
      built.push({ entry, tool, function: fn, logGroup: gatewayFunction.logGroup });
    }
  }
  deliverAuditLines(scope, built, resources.alarmAction);
  return built;
}

/** Subscribes the audit ingest to the log group of every function that writes audit lines. */
function deliverAuditLines(
  scope: Construct,
  built: readonly BuiltFunction[],
  alarmAction: IAlarmAction,
): void {
  const ingest = built.find((candidate) => candidate.entry.ingestsAuditLogs);
  const sources = built.filter((candidate) => candidate.entry.audits);
  if (sources.length === 0) return;
  if (!ingest)
    throw new Error('functions/manifest.ts: functions audit, but none ingests their lines');
  new AuditLogDelivery(scope, 'AuditLogDelivery', {
    ingest: ingest.function,
    sources: new Map(
      sources.map((source) => [instanceId(source.entry, source.tool), source.logGroup]),
    ),
    alarmAction,
  });
}

/** A tool whose input names the prefetch's entity (a customer) starts the conversation-start prefetch. */
const startsPrefetchOf = (tool: AnyTool | undefined): boolean =>
  tool !== undefined && conversationPrefetchOf.trigger in tool.input.shape;

/** Construct id: the entry's name in PascalCase; a per-tool instance is named after its tool. */
function instanceId(entry: FunctionEntry, tool: AnyTool | undefined): string {
  if (!tool) return pascal(entry.name);
  return entry.per === 'write-tool' ? `Saga${pascal(tool.name)}Step` : `Tool${pascal(tool.name)}`;
}

const describe = (entry: FunctionEntry, tool: AnyTool | undefined): string =>
  tool ? entry.description.replace('{tool}', tool.name) : entry.description;

function systemsOf(
  entry: FunctionEntry,
  tool: AnyTool | undefined,
  tools: readonly AnyTool[],
  prefetchTool: AnyTool | undefined,
): string[] {
  switch (entry.systems) {
    case 'tool':
      return tool ? [...tool.systems] : [];
    case 'all':
      return [...new Set(tools.flatMap((candidate) => candidate.systems))];
    case 'prefetch':
      return prefetchTool ? [...prefetchTool.systems] : [];
    case 'write-readiness':
      // The worker asks a write's systems whether they are ready before it starts the saga.
      return [
        ...new Set(
          tools
            .filter(isWriteTool)
            .filter((candidate: AnyWriteTool) => candidate.readiness)
            .flatMap((candidate) => candidate.systems),
        ),
      ];
    default:
      return [];
  }
}

function resilienceAccess(
  entry: FunctionEntry,
  runs: readonly AnyTool[],
  systemIds: readonly string[],
  options: {
    userLimits: boolean;
    prefetch: { tool: string; starts: boolean } | undefined;
    allTools: readonly AnyTool[];
  },
): ResilienceAccess | undefined {
  switch (entry.resilience) {
    case 'run':
      return accessToRun(runs, { userLimits: options.userLimits, prefetch: options.prefetch });
    case 'breakers':
      return { systems: systemIds };
    case 'admin':
      return { switches: 'write', invalidates: cachedTools(options.allTools) };
    case 'watch':
      return { switches: 'read', watches: systems.map((system) => system.id) };
    case 'invalidate':
      // Invalidation only bumps the generations of the caches an event makes stale.
      return { invalidates: [...new Set(cacheInvalidations.flatMap((rule) => rule.tools))] };
    default:
      return undefined;
  }
}

/** The environment of a settings group (layers/config/env.ts), from the stage's configuration. */
function settingsOf(
  group: NonNullable<FunctionEntry['settings']>[number],
  { config, webhookSecrets, bus, chatWebhookSecrets, connections }: GatewayResources,
): Record<string, string> {
  switch (group) {
    case 'user-credentials':
      // Where users connect: each such system's base URL and OAuth client, not its secret.
      return Object.fromEntries(
        Object.keys(config.systemOAuthClientIds).flatMap((systemId) => [
          [systemSettingNames.baseUrl(systemId), connections.baseUrls[systemId] ?? ''],
          ...Object.entries(userCredentialEnvironment(connections, systemId)),
        ]),
      );
    case 'callers':
      return {
        JWT_ISSUER: config.issuerUrl,
        JWT_AUDIENCE: config.audience,
        JWT_ROLES_CLAIM: config.rolesClaim,
        ...(config.jwksUrl ? { JWT_JWKS_URL: config.jwksUrl } : {}),
      };
    case 'mail':
      return {
        MAIL_SENDER: config.mail.sender,
        MAIL_ALLOWED_SENDERS: config.mail.allowedSenders.join(','),
        MAIL_ROLE_SENDERS: JSON.stringify(config.mail.roleSenders),
        MAIL_AI_FOOTER: config.mail.aiFooter,
      };
    case 'write-wait':
      return {
        WRITE_WAIT_WINDOW_SECONDS: String(config.writeWait.windowSeconds),
        WRITE_WAIT_FIRST_DELAY_SECONDS: String(config.writeWait.firstDelaySeconds),
      };
    case 'webhook-secrets':
      return Object.fromEntries(
        [...webhookSecrets].map(([source, secret]) => [
          webhookSecretEnvName(source),
          secret.secretArn,
        ]),
      );
    case 'event-bus':
      return { EVENT_BUS_NAME: bus.eventBusName };
    case 'console':
      return config.consoleClientId ? { CONSOLE_CLIENT_ID: config.consoleClientId } : {};
    case 'chat-webhooks':
      return Object.fromEntries(
        [...chatWebhookSecrets].map(([channel, secret]) => [
          chatChannels[channel].secretIdSetting,
          secret.secretArn,
        ]),
      );
    case 'sign-in':
      return {
        JWT_ISSUER: config.issuerUrl,
        JWT_AUDIENCE: config.audience,
        CONSOLE_SCOPE: config.consoleSignIn.scope,
        ...(config.consoleSignIn.issuerUrl
          ? { CONSOLE_ISSUER: config.consoleSignIn.issuerUrl }
          : {}),
        ...(config.consoleSignIn.connectOrigins.length > 0
          ? { CONSOLE_CONNECT_ORIGINS: config.consoleSignIn.connectOrigins.join(',') }
          : {}),
      };
    case 'sagas':
      // Set once the state machines exist (ApiStack), which need the saga step functions first.
      return {};
    case 'policy':
      // Set above with the grant, for this group and for `callers`.
      return {};
  }
}

function addRoutes(
  api: HttpApi,
  scope: Construct,
  entry: FunctionEntry,
  tool: AnyTool | undefined,
  fn: IFunction,
): void {
  if (!entry.routes?.length) return;
  // One invoke permission per function for this API rather than one per route: a stack holds at
  // most 500 resources, and every tool (declared ones too) adds a function with its routes.
  const integration = new HttpLambdaIntegration(`${instanceId(entry, tool)}Integration`, fn, {
    scopePermissionToRoute: false,
  });
  const byPath = new Map<string, HttpMethod[]>();
  for (const route of entry.routes) {
    const path = tool ? route.path.replace('{tool}', tool.name) : route.path;
    byPath.set(path, [...(byPath.get(path) ?? []), HttpMethod[route.method]]);
  }
  // A function in a nested stack has its routes there too (the API stays in the parent).
  const nested = Stack.of(scope) !== Stack.of(api);
  for (const [path, methods] of byPath) {
    const authorizer = entry.open ? { authorizer: new HttpNoneAuthorizer() } : {};
    const routes = nested
      ? methods.map(
          (method) =>
            new HttpRoute(scope, `${instanceId(entry, tool)}${method}Route`, {
              httpApi: api,
              routeKey: HttpRouteKey.with(path, method),
              integration,
              ...authorizer,
            }),
        )
      : api.addRoutes({ path, methods, integration, ...authorizer });
    if (entry.open) for (const route of routes) acknowledgePublicRoute(route, entry.open.reason);
  }
}
