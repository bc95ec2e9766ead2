import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '#layers/aws/clients.ts';
import { createLocalTables, startEmulators } from '#local/emulators.ts';

/**
 * The embedded DynamoDB emulator with local mode's tables, and a document client on it, for tests
 * of the shared-state classes (several "instances" on one table).
 *
 * @example
 * const db = await startTables(); // ... afterAll(() => db.close());
 */
export async function startTables(): Promise<{
  client: ReturnType<typeof createDocumentClient>;
  close(): Promise<void>;
}> {
  const emulators = await startEmulators();
  await createLocalTables(emulators.dynamodbEndpoint);
  const client = createDocumentClient(
    new DynamoDBClient({
      endpoint: emulators.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return { client, close: () => emulators.close() };
}
