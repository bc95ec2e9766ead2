import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SystemDefinition } from '#layers/connectors/system-definition.ts';
import { systems as registeredSystems } from '#layers/systems/registry.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import { webhookSecretEnvName, webhookSources } from '#layers/webhooks/sources.ts';
import { type WaitPolicy, writeQueueMaxReceiveCount } from '#layers/writes/wait-schedule.ts';
import {
  createApiGateway,
  type LambdaHandler,
  lambdaContext,
  portOf,
  type Route,
} from './api-gateway.ts';
import { type DevIssuer, loadDevIssuer } from './dev-issuer.ts';
import {
  createLocalEventQueues,
  createLocalQueues,
  createLocalTables,
  localTableNames,
  startEmulators,
} from './emulators.ts';
import { ensureLocalSecrets } from './local-secrets.ts';
import { castSandboxes, type LocalSystems, startLocalSystems } from './local-systems.ts';
import { pollQueue } from './queue-poller.ts';
import { type LocalFunction, localRoutes } from './routes.ts';
import { localSagaDefinitions } from './sagas.ts';
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
}

export interface LocalMode<Id extends string = SandboxedSystemId> {
  url: string;
  port: number;
  /** Each sandbox's URL, by the system it plays. */
  sandboxes: Readonly<Record<Id, string>>;
  /** Every system, in the registry's order, with its sandbox's label and URL if it has one. */
  systems: LocalSystems['systems'];
  emulators: { dynamodb: string; sqs: string };
  secretsFile: string;
  issuer: DevIssuer;
  stepFunctions: LocalStepFunctions;
  queues: { write: string; deadLetter: string; events: string; eventsDeadLetter: string };
  /** Environment the functions run with (AWS endpoints, tables, issuer, systems). */
  functionEnv: Record<string, string>;
  close(): Promise<void>;
}

const lazy = <M extends Record<string, unknown>>(
  load: () => Promise<M>,
  exported: keyof M = 'handler',
) => {
  let cached: Promise<LambdaHandler> | undefined;
  return () => {
    cached ??= load().then((module) => module[exported] as LambdaHandler);
    return cached;
  };
};

/**
 * Local mode: the same Lambda handlers behind a local API Gateway, with dynalite and fauxqs
 * in-process, the sandbox business systems, the local secrets file and the dev issuer.
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
  const dataDir = resolve(options.dataDir ?? process.env.TOOLGATE_DATA_DIR ?? '.toolgate');
  const secretsFile = join(dataDir, 'secrets.local.json');
  const cast = castSandboxes(
    options.systems ?? registeredSystems,
    options.sandboxes ?? (systemSandboxes as readonly SystemSandbox[]),
  );
  const secrets = await ensureLocalSecrets(
    secretsFile,
    cast.flatMap(({ sandbox }) => (sandbox ? [sandbox] : [])),
  );
  const issuer = await loadDevIssuer(join(dataDir, 'dev-issuer.json'));
  const emulators = await startEmulators();
  await createLocalTables(emulators.dynamodbEndpoint);
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
  const queues = await createLocalQueues(sqs, {
    visibilityTimeoutSeconds: options.writeQueueVisibilitySeconds ?? 30,
    maxReceiveCount: writeQueueMaxReceiveCount(writeWait),
  });
  const eventQueues = await createLocalEventQueues(sqs);
  const sagaStep = lazy(() => import('#functions/writes/step/handler.ts'));
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
  });

  const handlers: Record<LocalFunction, () => Promise<LambdaHandler>> = {
    health: lazy(() => import('#functions/health/check/handler.ts')),
    catalog: lazy(() => import('#functions/catalog/list/handler.ts')),
    tools: lazy(() => import('#functions/tools/call/handler.ts')),
    confirmations: lazy(() => import('#functions/confirmations/decide/handler.ts')),
    operations: lazy(() => import('#functions/operations/get/handler.ts')),
    mcp: lazy(() => import('#functions/mcp/serve/handler.ts')),
    openapi: lazy(() => import('#functions/openapi/document/handler.ts')),
    admin: lazy(() => import('#functions/admin/switches/handler.ts')),
    webhooks: lazy(() => import('#functions/webhooks/receive/handler.ts')),
  };
  const routes: Route[] = localRoutes.map((route) => ({
    ...route,
    handler: handlers[route.functionName],
  }));
  const serveIssuer = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' || req.url !== '/_local/jwks.json') return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(issuer.jwks()));
    return true;
  };
  const server = createApiGateway(routes, serveIssuer);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
  const actualPort = portOf(server);
  const url = `http://127.0.0.1:${actualPort}`;
  // Sandboxes that send webhooks (CRM, ticketing) announce their changes as their vendors do.
  sandboxes.announceTo(url, secrets.webhooks);

  const functionEnv: Record<string, string> = {
    STAGE: 'local',
    POWERTOOLS_SERVICE_NAME: 'toolgate',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    ...emulators.awsEnv,
    AUDIT_TABLE_NAME: localTableNames.audit,
    CONFIRMATIONS_TABLE_NAME: localTableNames.confirmations,
    OPERATIONS_TABLE_NAME: localTableNames.operations,
    IDEMPOTENCY_TABLE_NAME: localTableNames.idempotency,
    RESILIENCE_TABLE_NAME: localTableNames.resilience,
    WEBHOOK_TABLE_NAME: localTableNames.webhooks,
    EVENTS_QUEUE_URL: eventQueues.writeQueueUrl,
    // Each source's signing secrets are under webhooks.<source> in the local secrets file.
    ...Object.fromEntries(
      webhookSources.map((source) => [webhookSecretEnvName(source.id), `webhooks/${source.id}`]),
    ),
    WRITE_QUEUE_URL: queues.writeQueueUrl,
    WRITE_WAIT_WINDOW_SECONDS: String(writeWait.windowSeconds),
    WRITE_WAIT_FIRST_DELAY_SECONDS: String(writeWait.firstDelaySeconds),
    SAGA_STATE_MACHINES: JSON.stringify(
      Object.fromEntries(sagas.map((saga) => [saga.tool, saga.arn])),
    ),
    AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWT_JWKS_URL: `${url}/_local/jwks.json`,
    // The dev issuer's name does not resolve; MCP clients that look up the authorization server
    // (mcp-remote, Claude Desktop) are pointed at local mode itself instead.
    MCP_AUTHORIZATION_SERVER: `${url}/_local`,
    // No async Lambda invoke here: the prefetch runs in the same process, after the answer.
    CONVERSATION_PREFETCH: 'inline',
    SECRETS_SOURCE: 'file',
    LOCAL_SECRETS_FILE: secretsFile,
    ...sandboxes.env,
    ...options.env,
  };
  // The handlers read their configuration from process.env at cold start, as on Lambda; they
  // are imported lazily, on the first request, after this.
  Object.assign(process.env, functionEnv);
  const worker = pollQueue({
    client: sqs,
    queueUrl: queues.writeQueueUrl,
    queueArn: queues.writeQueueArn,
    handler: lazy(() => import('#functions/writes/worker/handler.ts')),
    onError: (error) => console.error('local write worker:', (error as Error).message),
  });
  const eventWorker = pollQueue({
    client: sqs,
    queueUrl: eventQueues.writeQueueUrl,
    queueArn: eventQueues.writeQueueArn,
    handler: lazy(() => import('#functions/webhooks/process/handler.ts')),
    onError: (error) => console.error('local event worker:', (error as Error).message),
  });

  return {
    url,
    port: actualPort,
    // castSandboxes refused any sandbox that plays no declared system: each Id has one.
    sandboxes: sandboxes.urls as Record<Id, string>,
    systems: sandboxes.systems,
    emulators: { dynamodb: emulators.dynamodbEndpoint, sqs: emulators.sqsEndpoint },
    secretsFile,
    issuer,
    stepFunctions,
    queues: {
      write: queues.writeQueueUrl,
      deadLetter: queues.deadLetterQueueUrl,
      events: eventQueues.writeQueueUrl,
      eventsDeadLetter: eventQueues.deadLetterQueueUrl,
    },
    functionEnv,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await worker.stop();
      await eventWorker.stop();
      await stepFunctions.idle();
      await stepFunctions.close();
      sqs.destroy();
      await sandboxes.close();
      await emulators.close();
    },
  };
}
