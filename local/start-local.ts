import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { buildConsole } from '#functions/console/build.ts';
import {
  type FunctionEntry,
  functions,
  type QueueName,
  queueEnvNames,
  servedRoutes,
  type TableName,
  type TopicName,
  tableEnvNames,
  topicEnvNames,
} from '#functions/manifest.ts';
import { loadArgumentRules } from '#layers/argument-policy/argument-rules.ts';
import { fileAuditLog } from '#layers/audit/audit-log.ts';
import type { Policy } from '#layers/auth/policy.ts';
import { installPolicySource, policyAuditListener } from '#layers/composition/instance-policy.ts';
import { runtimeEnvSchema } from '#layers/config/env.ts';
import type { SystemDefinition } from '#layers/connectors/system-definition.ts';
import { chatChannels } from '#layers/notifications/chat-notifier.ts';
import { logger } from '#layers/observability/logger.ts';
import { watchPolicyFile } from '#layers/policy/file-policy-source.ts';
import { cedarFilesOf } from '#layers/policy/policy-content.ts';
import { defaultPolicyFile, displayPath } from '#layers/policy/policy-file.ts';
import { loadPolicyFile } from '#layers/policy/policy-yaml.ts';
import { background } from '#layers/resilience/background.ts';
import { systems as registeredSystems } from '#layers/systems/registry.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import { checkDeclarations, tools } from '#layers/tools/registry.ts';
import { checkSqlTools } from '#layers/tools/sql-tool-check.ts';
import { webhookSecretEnvName, webhookSources } from '#layers/webhooks/sources.ts';
import { type WaitPolicy, writeQueueMaxReceiveCount } from '#layers/writes/wait-schedule.ts';
import {
  createApiGateway,
  type LambdaHandler,
  lambdaContext,
  portOf,
  type Route,
} from './api-gateway.ts';
import type { AppConfigIds } from './appconfig-emulator.ts';
import {
  appConfigPolicyFeed,
  type LocalPolicySource,
  localPolicyConfiguration,
  localPolicySourceOf,
} from './appconfig-policy.ts';
import { tailAuditLogInThread } from './audit-tailer.ts';
import { chatKeysOf, pointChatWebhooks } from './chat-webhooks.ts';
import { type DevIssuer, loadDevIssuer, localIssuerUrl, recordIssuer } from './dev-issuer.ts';
import {
  createLocalQueue,
  createLocalTables,
  type LocalQueue,
  localTableNames,
  startEmulators,
} from './emulators.ts';
import { ensureLocalSecrets, TOKEN_EXCHANGE_SECRET } from './local-secrets.ts';
import { castSandboxes, type LocalSystems, startLocalSystems } from './local-systems.ts';
import { type LocalTopics, startLocalTopics } from './notification-topic.ts';
import { createLocalOidc, LOCAL_CONSOLE_CLIENT_ID, type LocalOidc } from './oidc-provider.ts';
import { pollQueue } from './queue-poller.ts';
import { localSagaDefinitions, localStateMachinePrefix } from './sagas.ts';
import { startChatSandbox } from './sandboxes/chat.ts';
import { type SandboxedSystemId, systemSandboxes } from './sandboxes/registry.ts';
import type { SystemSandbox } from './sandboxes/system-sandbox.ts';
import { type LocalStepFunctions, startLocalStepFunctions } from './step-functions.ts';

export interface LocalModeOptions<Id extends string = SandboxedSystemId> {
  /** Gateway port; the sandboxes take the next ones, in the registry's order. 0 picks free ports for all. @default 3000 */
  port?: number;
  /** Where the local secrets file and the dev issuer key live. @default .toolgate */
  dataDir?: string;
  /** Extra function environment, e.g. `UPSTREAM_TIMEOUT_MS`. */
  env?: Record<string, string>;
  /** Overrides every saga Retry pause (ms); tests use a few ms. @default the definitions' own */
  sagaRetryIntervalMs?: number;
  /** Visibility timeout of the local write queue. @default 30 */
  writeQueueVisibilitySeconds?: number;
  /**
   * How a write waits for its system (WRITE_WAIT_*); the local queue's maxReceiveCount follows.
   * @default a 24 h window, first pause `writeQueueVisibilitySeconds`
   */
  writeWait?: WaitPolicy;
  /** The business systems. @default the registry's (layers/systems/registry.ts) */
  systems?: readonly SystemDefinition[];
  /** The sandboxes, each playing one of `systems`. @default local/sandboxes/registry.ts */
  sandboxes?: readonly SystemSandbox<Id>[];
  /** How often the audit log is read for new lines, in ms. @default 100 */
  auditTailIntervalMs?: number;
  /**
   * A DynamoDB to use (its tables already made) instead of an in-process dynalite: a test that
   * kills local mode keeps its tables. @default an in-process dynalite
   */
  dynamodbEndpoint?: string;
  /**
   * The policy file, watched: an edit that validates takes effect without a restart, one that does
   * not is refused (the last good stays). @default TOOLGATE_POLICY_FILE, else infra/policy/policy.yaml
   */
  policyFile?: string;
  /**
   * `appconfig`: the gateway reads the policy through the embedded AppConfig, as a Lambda does,
   * the file deployed to it on each change that validates. @default TOOLGATE_POLICY_SOURCE, else `file`
   */
  policySource?: LocalPolicySource;
}

export interface LocalMode<Id extends string = SandboxedSystemId> {
  url: string;
  port: number;
  /** Each sandbox's URL, by the system it plays. */
  sandboxes: Readonly<Record<Id, string>>;
  /** Every system, in the registry's order, with its sandbox's label and URL if it has one. */
  systems: LocalSystems['systems'];
  /** The chat sandbox, where Slack and Teams notifications land (`GET /_sandbox/messages`). */
  chat: string;
  /** The stand-in for SNS: the notifications topic, delivering to the notify function. */
  topics: LocalTopics;
  emulators: {
    dynamodb: string;
    sqs: string;
    /** DynamoDB requests served so far, by operation. */
    dynamodbOperations(): Readonly<Record<string, number>>;
    /** Holds each DynamoDB request this long (bench only). */
    setDynamodbDelay(ms: number): void;
  };
  secretsFile: string;
  issuer: DevIssuer;
  stepFunctions: LocalStepFunctions;
  queues: {
    write: string;
    deadLetter: string;
    events: string;
    eventsDeadLetter: string;
    prefetch: string;
  };
  /** Environment the functions run with (AWS endpoints, tables, issuer, systems). */
  functionEnv: Record<string, string>;
  /** The policy file the gateway reads and watches. */
  policyFile: string;
  /**
   * With `policySource: 'appconfig'`: the embedded AppConfig's policy configuration; `deploy`
   * deploys a document around the file, as a deployment around the CDK app would.
   */
  appConfig?: { ids: AppConfigIds; deploy(content: string): void };
  /**
   * Resolves once every audit line written so far is in the audit table (the tailer delivers
   * them about every 100 ms, as the subscription does on AWS).
   */
  auditDelivered(): Promise<void>;
  close(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..');

/** A function's handler, imported on its first use (after the environment is set, as on Lambda). */
const handlerOf = (() => {
  const loaded = new Map<string, Promise<LambdaHandler>>();
  return (entry: FunctionEntry) => () => {
    let handler = loaded.get(entry.entry);
    if (!handler) {
      handler = import(pathToFileURL(join(ROOT, entry.entry)).href).then(
        (module: { handler: LambdaHandler }) => module.handler,
      );
      loaded.set(entry.entry, handler);
    }
    return handler;
  };
})();

/**
 * The routes local mode serves: every route of functions/manifest.ts, as API Gateway is given
 * them (a per-tool route once per tool), each to its function. `open`: no JWT authorizer on AWS
 * (locally every function verifies the bearer token it is sent itself).
 *
 * @example
 * localRouteTable(['get_customer']).find((route) => route.path === '/tools/get_customer'); // { method: 'POST', functionName: 'tools', ... }
 */
export function localRouteTable(
  toolNames: readonly string[],
): { method: string; path: string; functionName: FunctionEntry['name']; open: boolean }[] {
  return servedRoutes(toolNames).map((route) => ({
    method: route.method,
    path: route.path,
    functionName: route.function,
    open: route.open,
  }));
}

/**
 * Local mode: the same Lambda handlers behind a local API Gateway, with dynalite and fauxqs
 * in-process, a stand-in for SNS, the sandbox business systems and chat, the local secrets file
 * and the dev issuer.
 *
 * @example
 * const local = await startLocalMode({ port: 0 });
 * const token = await local.issuer.issue({ sub: 'ana', roles: ['support'] });
 * await fetch(`${local.url}/tools`, { headers: { authorization: `Bearer ${token}` } });
 * await local.close();
 */
export async function startLocalMode<Id extends string = SandboxedSystemId>(
  options: LocalModeOptions<Id> = {},
): Promise<LocalMode<Id>> {
  const port = options.port ?? 3000;
  // A declaration edited by hand fails the start, naming its file, field and fix.
  checkDeclarations();
  // So does a policy file that does not validate, naming its file and line.
  const policyFile = resolve(
    options.policyFile ?? process.env.TOOLGATE_POLICY_FILE ?? defaultPolicyFile,
  );
  const startPolicy = loadPolicyFile(policyFile, displayPath(policyFile)).policy;
  const policyMode =
    options.policySource ?? localPolicySourceOf(process.env.TOOLGATE_POLICY_SOURCE);
  const dataDir = resolve(options.dataDir ?? process.env.TOOLGATE_DATA_DIR ?? '.toolgate');
  const secretsFile = join(dataDir, 'secrets.local.json');
  const cast = castSandboxes(
    options.systems ?? registeredSystems,
    options.sandboxes ?? (systemSandboxes as readonly SystemSandbox[]),
  );
  // A SQL tool whose declaration is refused would be refused by synth too: stop here, as there.
  const sqlProblems = await checkSqlTools(tools, options.systems ?? registeredSystems, ROOT);
  if (sqlProblems.length > 0)
    throw new Error(`Local mode cannot start: a SQL tool is refused:\n${sqlProblems.join('\n')}`);
  // Argument rules naming an unknown tool or input field, or not Cedar, fail the start.
  const checkArgumentRules = async (policy: Policy) => {
    await loadArgumentRules(cedarFilesOf(policy), tools);
  };
  await checkArgumentRules(startPolicy);
  // The web console's files, as the CDK app builds them into its function's bundle; quickly.
  const consoleDir = join(dataDir, 'console');
  const consoleBuilt = buildConsole(consoleDir, { compression: 'fast' });
  // Awaited once the server is made; until then a failure must not count as unhandled.
  consoleBuilt.catch(() => undefined);
  const secrets = await ensureLocalSecrets(
    secretsFile,
    cast.flatMap(({ sandbox }) => (sandbox ? [sandbox] : [])),
  );
  const emulators = await startEmulators(
    options.dynamodbEndpoint ? { dynamodbEndpoint: options.dynamodbEndpoint } : {},
  );
  if (!options.dynamodbEndpoint) await createLocalTables(emulators.dynamodbEndpoint);
  const sqs = new SQSClient({
    endpoint: emulators.sqsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  const writeWait = options.writeWait ?? {
    windowSeconds: 86_400,
    firstDelaySeconds: options.writeQueueVisibilitySeconds ?? 30,
  };
  // The queues of the stateful stack, as it configures them: the write queue's redrive follows
  // the write wait; the prefetch queue is best effort, without a dead-letter queue.
  const queues: Record<QueueName, LocalQueue> = {
    write: await createLocalQueue(sqs, 'toolgate-local-writes', {
      visibilityTimeoutSeconds: options.writeQueueVisibilitySeconds ?? 30,
      deadLetters: { maxReceiveCount: writeQueueMaxReceiveCount(writeWait) },
    }),
    events: await createLocalQueue(sqs, 'toolgate-local-events', {
      visibilityTimeoutSeconds: 30,
      deadLetters: { maxReceiveCount: 5 },
    }),
    prefetch: await createLocalQueue(sqs, 'toolgate-local-prefetch', {
      visibilityTimeoutSeconds: 30,
    }),
  };
  const entry = (name: FunctionEntry['name']): FunctionEntry => {
    const found = (functions as readonly FunctionEntry[]).find((fn) => fn.name === name);
    if (!found) throw new Error(`functions/manifest.ts has no function ${name}`);
    return found;
  };
  // The manifest's saga-invoked function runs every write tool's steps, as on AWS.
  const sagaStep = handlerOf(
    (functions as readonly FunctionEntry[]).find((fn) => fn.invokedBySaga) ?? entry('saga-step'),
  );
  const sagas = localSagaDefinitions(tools.filter(isWriteTool));
  const stepFunctions = await startLocalStepFunctions({
    machines: sagas.map((saga) => ({
      arn: saga.arn,
      definition: saga.definition,
      invoke: async (input) => (await sagaStep())(input as never, lambdaContext('saga-step')),
    })),
    ...(options.sagaRetryIntervalMs === undefined
      ? {}
      : { retryIntervalMs: options.sagaRetryIntervalMs }),
  });

  const sandboxes = await startLocalSystems({
    cast,
    secrets,
    secretsFile,
    portOf: (index) => (port === 0 ? 0 : port + 1 + index),
    dataDir,
  });

  // The chat sandbox takes the port after the systems' sandboxes; the local secrets file's chat
  // webhooks point at it (unless they name a real Slack or Teams webhook).
  const chat = await startChatSandbox({
    port:
      port === 0 ? 0 : port + 1 + cast.filter(({ sandbox }) => sandbox && !sandbox.embedded).length,
    keys: chatKeysOf(secrets),
  });
  await pointChatWebhooks(secretsFile, secrets, chat.webhookUrls);
  // Each topic, delivering to the functions the manifest subscribes to it, as SNS invokes them.
  const topics = await startLocalTopics({
    topics: (Object.keys(topicEnvNames) as TopicName[]).map((name) => ({
      name,
      subscribers: (functions as readonly FunctionEntry[])
        .filter((fn) => fn.subscribes?.topic === name)
        .map((fn) => ({ functionName: fn.name, handler: handlerOf(fn) })),
    })),
    onError: (error, name) => console.error(`local ${name}:`, (error as Error).message),
  });

  const routes: Route[] = localRouteTable(tools.map((tool) => tool.name)).map((route) => ({
    ...route,
    handler: handlerOf(entry(route.functionName)),
  }));
  // The OpenID provider needs the gateway's address, known once the server listens.
  let oidc: LocalOidc | undefined;
  const serveIssuer = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!oidc) return false;
    if (req.method === 'GET' && req.url === '/_local/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(issuer.jwks()));
      return true;
    }
    return oidc.handle(req, res);
  };
  const server = createApiGateway(routes, serveIssuer);
  await consoleBuilt;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
  const actualPort = portOf(server);
  const url = `http://127.0.0.1:${actualPort}`;
  // One key, one issuer: tokens of the OpenID provider, of `npm run token` and of the tests'
  // `issuer.issue` all verify against the same JWKS.
  const issuer = await loadDevIssuer(join(dataDir, 'dev-issuer.json'), localIssuerUrl(url));
  const consoleClientId = options.env?.CONSOLE_CLIENT_ID ?? LOCAL_CONSOLE_CLIENT_ID;
  // The sandboxes that accept the provider's tokens (the CRM) are the audiences token exchange
  // (SYSTEM_<ID>_CREDENTIAL=exchange) may ask for, as the gateway's client of the secrets file.
  const audiences = sandboxes.trust({ issuer: issuer.issuer, jwksUrl: `${issuer.issuer}/jwks` });
  const exchangeClient = secrets.identity?.[TOKEN_EXCHANGE_SECRET] as
    | { clientId: string; clientSecret: string }
    | undefined;
  oidc = await createLocalOidc({
    issuer,
    gatewayUrl: url,
    consoleClientId,
    ...(exchangeClient ? { tokenExchange: { ...exchangeClient, audiences } } : {}),
  });
  // `npm run token` reads it to issue tokens for this port.
  await recordIssuer(join(dataDir, 'issuer.json'), issuer.issuer);
  // Sandboxes that send webhooks (CRM, ticketing) announce their changes as their vendors do.
  sandboxes.announceTo(url, secrets.webhooks);

  const functionEnv: Record<string, string> = {
    STAGE: 'local',
    POWERTOOLS_SERVICE_NAME: 'toolgate',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // CloudWatch metrics (EMF lines) mean nothing on a laptop: `true` keeps them out of the output.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    // No X-Ray daemon here: the tracer sends no segment (it is also off wherever it is not on Lambda).
    POWERTOOLS_TRACE_ENABLED: 'false',
    ...emulators.awsEnv,
    // Every store and queue a function of the manifest names, as the CDK app sets them.
    ...Object.fromEntries(
      Object.entries(tableEnvNames).map(([table, name]) => [
        name,
        localTableNames[table as TableName],
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(queueEnvNames).map(([queue, name]) => [name, queues[queue as QueueName].url]),
    ),
    AWS_ENDPOINT_URL_SNS: topics.endpoint,
    ...Object.fromEntries(
      Object.entries(topicEnvNames).map(([topic, name]) => [name, topics.arns[topic] ?? '']),
    ),
    // Each chat's webhook is under notifications.<chat> in the local secrets file.
    ...Object.fromEntries(
      Object.entries(chatChannels).map(([channel, { secretIdSetting }]) => [
        secretIdSetting,
        `notifications/${channel}`,
      ]),
    ),
    // Each source's signing secrets are under webhooks.<source> in the local secrets file.
    ...Object.fromEntries(
      webhookSources.map((source) => [webhookSecretEnvName(source.id), `webhooks/${source.id}`]),
    ),
    WRITE_WAIT_WINDOW_SECONDS: String(writeWait.windowSeconds),
    WRITE_WAIT_FIRST_DELAY_SECONDS: String(writeWait.firstDelaySeconds),
    SAGA_STATE_MACHINE_PREFIX: localStateMachinePrefix,
    AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWT_JWKS_URL: `${url}/_local/jwks.json`,
    // MCP clients that follow the protected resource metadata (mcp-remote, Claude Desktop) sign
    // people in at the OpenID provider.
    MCP_AUTHORIZATION_SERVER: issuer.issuer,
    CONSOLE_CLIENT_ID: consoleClientId,
    CONVERSATION_PREFETCH: 'queue',
    // The Systems page shows calls within a second of making them.
    CALL_METRICS_FLUSH_MS: '1000',
    CONSOLE_ASSETS_DIR: consoleDir,
    // The audit lines, delivered to the audit table by the tailer below (the subscription on AWS).
    AUDIT_LOG_FILE: join(dataDir, 'audit-log', 'gateway.log'),
    SECRETS_SOURCE: 'file',
    LOCAL_SECRETS_FILE: secretsFile,
    // Used by a system set to SYSTEM_<ID>_CREDENTIAL=exchange: the provider's token endpoint.
    TOKEN_EXCHANGE_URL: `${issuer.issuer}/token`,
    TOKEN_EXCHANGE_SECRET_ID: `identity/${TOKEN_EXCHANGE_SECRET}`,
    ...sandboxes.env,
    ...options.env,
  };
  // The handlers read their configuration from process.env at cold start, as on Lambda; they
  // are imported lazily, on the first request, after this.
  Object.assign(process.env, functionEnv);
  // The functions' policy, as AppConfig gives it on AWS: re-read when the file changes,
  // each version taken up recorded in the audit trail (delivered by the tailer below).
  // With TOOLGATE_POLICY_SOURCE=appconfig, through the embedded AppConfig, as a Lambda reads it.
  const policySource =
    policyMode === 'appconfig'
      ? await appConfigPolicyFeed({
          appConfig: emulators.appConfig,
          policyFile,
          shownAs: displayPath(policyFile),
          // process.env: the functions' settings over the shell's (`POLICY_REFRESH_SECONDS=1 npm start`).
          refreshSeconds: runtimeEnvSchema.pick({ POLICY_REFRESH_SECONDS: true }).parse(process.env)
            .POLICY_REFRESH_SECONDS,
          auditLogFile: functionEnv.AUDIT_LOG_FILE,
          check: checkArgumentRules,
        })
      : watchPolicyFile(
          policyFile,
          policyAuditListener(
            fileAuditLog(functionEnv.AUDIT_LOG_FILE ?? join(dataDir, 'audit-log', 'gateway.log')),
          ),
          { shownAs: displayPath(policyFile), check: checkArgumentRules },
        );
  installPolicySource('source' in policySource ? policySource.source : policySource);
  // This process's logger is loaded already (local mode's own modules use it): give it the level.
  logger.setLogLevel(functionEnv.POWERTOOLS_LOG_LEVEL as Parameters<typeof logger.setLogLevel>[0]);
  // Each queue's worker, as the event source mappings of the CDK app invoke them.
  const workers = (functions as readonly FunctionEntry[]).flatMap((fn) => {
    if (!fn.consumes) return [];
    const queue = queues[fn.consumes.queue];
    return [
      pollQueue({
        client: sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        functionName: fn.name,
        handler: handlerOf(fn),
        onError: (error) => console.error(`local ${fn.name}:`, (error as Error).message),
      }),
    ];
  });
  const ingest = (functions as readonly FunctionEntry[]).find((fn) => fn.ingestsAuditLogs);
  if (!ingest) throw new Error('functions/manifest.ts has no function that ingests audit lines');
  const auditLogFile = functionEnv.AUDIT_LOG_FILE ?? '';
  const auditTailer = tailAuditLogInThread({
    file: auditLogFile,
    offsetFile: join(dirname(auditLogFile), 'offsets.json'),
    intervalMs: options.auditTailIntervalMs ?? 100,
    handlerUrl: pathToFileURL(join(ROOT, ingest.entry)).href,
    functionName: ingest.name,
    onError: (error) => console.error(`local ${ingest.name}:`, (error as Error).message),
  });

  return {
    url,
    port: actualPort,
    // castSandboxes refused any sandbox that plays no declared system: each Id has one.
    sandboxes: sandboxes.urls as Record<Id, string>,
    systems: sandboxes.systems,
    chat: chat.url,
    topics,
    emulators: {
      dynamodb: emulators.dynamodbEndpoint,
      sqs: emulators.sqsEndpoint,
      dynamodbOperations: emulators.dynamodbOperations,
      setDynamodbDelay: emulators.setDynamodbDelay,
    },
    secretsFile,
    issuer,
    stepFunctions,
    queues: {
      write: queues.write.url,
      deadLetter: queues.write.deadLetterUrl ?? '',
      events: queues.events.url,
      eventsDeadLetter: queues.events.deadLetterUrl ?? '',
      prefetch: queues.prefetch.url,
    },
    functionEnv,
    policyFile,
    ...(policyMode === 'appconfig'
      ? {
          appConfig: {
            ids: localPolicyConfiguration,
            deploy: (content: string) =>
              emulators.appConfig.deploy(localPolicyConfiguration, content),
          },
        }
      : {}),
    auditDelivered: () => auditTailer.delivered(),
    async close() {
      policySource.close();
      installPolicySource(undefined);
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await Promise.all(workers.map((worker) => worker.stop()));
      await auditTailer.stop();
      await stepFunctions.idle();
      await stepFunctions.close();
      // Shared-state writes the answers did not wait for end before the tables go away.
      await background.settled();
      sqs.destroy();
      // Deliveries still under way end first: they post to the chat sandbox.
      await topics.close();
      await chat.close();
      await sandboxes.close();
      await emulators.close();
    },
  };
}
