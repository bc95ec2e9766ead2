import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { TableName } from '#functions/manifest.ts';
import { auditIndexes, auditTable } from '#layers/audit/audit-table.ts';
import type { IndexKeys } from '#layers/aws/table-keys.ts';
import { connectionsTable } from '#layers/connections/connection-store.ts';
import { webhookLogIndex } from '#layers/webhooks/delivery-log.ts';
import { confirmationsTable } from '#layers/writes/confirmation-store.ts';
import { operationIndexes, operationsTable } from '#layers/writes/operations-table.ts';
import { type AppConfigEmulator, startAppConfigEmulator } from './appconfig-emulator.ts';
import {
  countedOperations,
  type DynaliteThreadData,
  dynaliteThreadData,
} from './emulator-counters.ts';
import { startThread } from './threads.ts';
import { localTimings } from './timings.ts';

export interface Emulators {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** AppConfig's data plane: local mode's policy with TOOLGATE_POLICY_SOURCE=appconfig. */
  appConfig: AppConfigEmulator;
  /** Environment for the AWS SDK: region, dummy credentials and the emulators' endpoints. */
  awsEnv: Record<string, string>;
  /** DynamoDB requests served so far, by operation (`GetItem`, `PutItem`, …): the bench counts round trips. */
  dynamodbOperations(): Readonly<Record<string, number>>;
  /** Holds every DynamoDB request this long before serving it: the bench sees which ones a call waits for. */
  setDynamodbDelay(ms: number): void;
  close(): Promise<void>;
}

/**
 * Starts the embedded AWS emulators in this process: dynalite (DynamoDB), fauxqs (SQS) and an
 * AppConfigData emulator (local/appconfig-emulator.ts). The
 * AWS SDK reaches them through its standard `AWS_ENDPOINT_URL_<SERVICE>` settings, so the
 * production code paths run unchanged. Requests to a DynamoDB given by endpoint are not counted.
 */
export async function startEmulators(
  options: {
    /** A DynamoDB already running (another process's dynalite): no dynalite is started. */
    dynamodbEndpoint?: string;
  } = {},
): Promise<Emulators> {
  const own = options.dynamodbEndpoint === undefined;
  const shared = dynaliteThreadData();
  const dynamo = own ? await startDynaliteThread(shared) : undefined;
  const busy = new Float64Array(shared.busy);
  if (dynamo) localTimings.watchDynamodb(() => busy[0] ?? 0);
  const sqs = await startFauxqs({ port: 0, logger: false });
  // Sessions may poll every second, not only every 15 s as on AWS: a local change is seen sooner.
  const appConfig = await startAppConfigEmulator({ minPollSeconds: 1 });
  const dynamodbEndpoint = options.dynamodbEndpoint ?? `http://127.0.0.1:${dynamo?.port}`;
  const sqsEndpoint = sqs.address;
  return {
    dynamodbEndpoint,
    sqsEndpoint,
    appConfig,
    awsEnv: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_APPCONFIGDATA: appConfig.endpoint,
    },
    dynamodbOperations: () => countedOperations(shared),
    setDynamodbDelay: (ms) => {
      Atomics.store(new Int32Array(shared.delay), 0, Math.round(ms));
    },
    async close() {
      await appConfig.close();
      await sqs.stop();
      if (dynamo) localTimings.watchDynamodb(undefined);
      await dynamo?.stop();
    },
  };
}

/**
 * dynalite in a thread of its own, as DynamoDB is a service of its own on AWS: the gateway's event
 * loop does none of the emulator's work, so a call's time and the bench's figures carry only what
 * the call does (a request to it still costs the round trip).
 */
async function startDynaliteThread(
  shared: DynaliteThreadData,
): Promise<{ port: number; stop(): Promise<void> }> {
  const thread = startThread(new URL('./dynalite-thread.ts', import.meta.url), shared);
  const port = await new Promise<number>((resolve, reject) => {
    thread.once('message', (message: { port: number }) => resolve(message.port));
    thread.once('error', reject);
    thread.once('exit', (code) =>
      reject(new Error(`the DynamoDB emulator's thread exited (${code})`)),
    );
  });
  return {
    port,
    async stop() {
      const stopped = new Promise<void>((resolve) => {
        thread.once('message', () => resolve());
        thread.once('exit', () => resolve());
      });
      thread.postMessage('stop');
      await stopped;
      await thread.terminate();
    },
  };
}

export const localTableNames = {
  audit: 'toolgate-local-audit',
  confirmations: 'toolgate-local-confirmations',
  operations: 'toolgate-local-operations',
  idempotency: 'toolgate-local-idempotency',
  resilience: 'toolgate-local-resilience',
  webhooks: 'toolgate-local-webhooks',
  connections: 'toolgate-local-connections',
} as const satisfies Record<TableName, string>;

/** A table with string keys and the indexes a key module declares, as the CDK app makes it. */
function tableInput(
  name: string,
  key: { partitionKey: string; sortKey?: string },
  indexes: readonly IndexKeys[],
): CreateTableCommandInput {
  const attributes = new Set([key.partitionKey, key.sortKey ?? '']);
  for (const index of indexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey ?? '');
  }
  const schema = (partitionKey: string, sortKey?: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes]
      .filter(Boolean)
      .map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' })),
    KeySchema: schema(key.partitionKey, key.sortKey),
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: schema(index.partitionKey, index.sortKey),
            Projection: {
              ProjectionType:
                index.projection === 'keys' ? ('KEYS_ONLY' as const) : ('ALL' as const),
            },
          })),
        }
      : {}),
  };
}

/** Creates the tables the CDK app defines, with the same keys. */
export async function createLocalTables(endpoint: string, names = localTableNames): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand(
      tableInput(names.confirmations, { partitionKey: confirmationsTable.partitionKey }, [
        confirmationsTable.pendingIndex,
      ]),
    ),
  );
  await client.send(
    new CreateTableCommand(
      tableInput(
        names.operations,
        { partitionKey: operationsTable.partitionKey },
        operationIndexes,
      ),
    ),
  );
  for (const [name, key] of [
    [names.idempotency, 'id'],
    [names.resilience, 'pk'],
  ] as const) {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      }),
    );
  }
  await client.send(
    new CreateTableCommand(tableInput(names.webhooks, { partitionKey: 'pk' }, [webhookLogIndex])),
  );
  await client.send(
    new CreateTableCommand(
      tableInput(
        names.connections,
        { partitionKey: connectionsTable.partitionKey, sortKey: connectionsTable.sortKey },
        [],
      ),
    ),
  );
  await client.send(
    new CreateTableCommand(
      tableInput(
        names.audit,
        { partitionKey: auditTable.partitionKey, sortKey: auditTable.sortKey },
        auditIndexes,
      ),
    ),
  );
  client.destroy();
}

/** A local queue: its URL and ARN, and its dead-letter queue's URL when it has one. */
export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl?: string;
}

const queueArnOf = async (client: SQSClient, url: string): Promise<string> =>
  (
    await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn ?? '';

/**
 * Creates a queue as the stateful stack does: its visibility timeout and, when it has one, its
 * dead-letter queue (`<name>-dlq`) after `maxReceiveCount` receives.
 *
 * @example
 * const events = await createLocalQueue(sqs, 'toolgate-local-events', { visibilityTimeoutSeconds: 30, deadLetters: { maxReceiveCount: 5 } });
 */
export async function createLocalQueue(
  client: SQSClient,
  name: string,
  options: { visibilityTimeoutSeconds: number; deadLetters?: { maxReceiveCount: number } },
): Promise<LocalQueue> {
  let deadLetter: { url: string; arn: string } | undefined;
  if (options.deadLetters) {
    const url =
      (await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl ?? '';
    deadLetter = { url, arn: await queueArnOf(client, url) };
  }
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds),
        ...(deadLetter && options.deadLetters
          ? {
              RedrivePolicy: JSON.stringify({
                deadLetterTargetArn: deadLetter.arn,
                maxReceiveCount: options.deadLetters.maxReceiveCount,
              }),
            }
          : {}),
      },
    }),
  );
  const url = queue.QueueUrl ?? '';
  return {
    url,
    arn: await queueArnOf(client, url),
    ...(deadLetter ? { deadLetterUrl: deadLetter.url } : {}),
  };
}
