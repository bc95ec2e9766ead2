import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

/** Creates the tables the CDK app defines, with the same keys. */
export async function createLocalTables(endpoint: string, names: { audit: string }): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
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
