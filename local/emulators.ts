import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import { auditTable } from '#layers/audit/audit-table.ts';

export interface Emulators {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** Environment for the AWS SDK: region, dummy credentials and the emulators' endpoints. */
  awsEnv: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts the embedded AWS emulators in this process: dynalite (DynamoDB) and fauxqs (SQS). The
 * AWS SDK reaches them through its standard `AWS_ENDPOINT_URL_<SERVICE>` settings, so the
 * production code paths run unchanged.
 */
export async function startEmulators(): Promise<Emulators> {
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const dynamoPort = (dynamo.address() as AddressInfo).port;
  const sqs = await startFauxqs({ port: 0, logger: false });
  const dynamodbEndpoint = `http://127.0.0.1:${dynamoPort}`;
  const sqsEndpoint = sqs.address;
  return {
    dynamodbEndpoint,
    sqsEndpoint,
    awsEnv: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    },
    async close() {
      await sqs.stop();
      dynamo.closeAllConnections?.();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
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
} as const;

/** Creates the tables the CDK app defines, with the same keys. */
export async function createLocalTables(endpoint: string, names = localTableNames): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const [name, key] of [
    [names.confirmations, 'pk'],
    [names.operations, 'pk'],
    [names.idempotency, 'id'],
    [names.resilience, 'pk'],
    [names.webhooks, 'pk'],
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
  const { partitionKey, sortKey, byToolIndex } = auditTable;
  await client.send(
    new CreateTableCommand({
      TableName: names.audit,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey, AttributeType: 'S' },
        { AttributeName: sortKey, AttributeType: 'S' },
        { AttributeName: byToolIndex.partitionKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: byToolIndex.name,
          KeySchema: [
            { AttributeName: byToolIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: byToolIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  client.destroy();
}

/** Creates the write queue and its dead-letter queue as the CDK app does. */
export async function createLocalQueues(
  client: SQSClient,
  options: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
): Promise<{ writeQueueUrl: string; writeQueueArn: string; deadLetterQueueUrl: string }> {
  return createQueueWithDeadLetters(client, 'toolgate-local-writes', options);
}

/** Creates the webhook events queue and its dead-letter queue as the CDK app does. */
export async function createLocalEventQueues(
  client: SQSClient,
): Promise<{ writeQueueUrl: string; writeQueueArn: string; deadLetterQueueUrl: string }> {
  return createQueueWithDeadLetters(client, 'toolgate-local-events', {
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 5,
  });
}

async function createQueueWithDeadLetters(
  client: SQSClient,
  name: string,
  options: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
): Promise<{ writeQueueUrl: string; writeQueueArn: string; deadLetterQueueUrl: string }> {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl ?? '';
  const dlqArn =
    (
      await client.send(
        new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn ?? '';
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: options.maxReceiveCount,
        }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl ?? '';
  const queueArn =
    (
      await client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn ?? '';
  return { writeQueueUrl: queueUrl, writeQueueArn: queueArn, deadLetterQueueUrl: dlqUrl };
}
