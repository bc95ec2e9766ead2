import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalMode } from '#local/start-local.ts';

/** Every audit record local mode has written (a scan of its dynalite table). */
export async function auditRecords(local: LocalMode): Promise<Record<string, unknown>[]> {
  const client = new DynamoDBClient({
    endpoint: local.emulators.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Items = [] } = await DynamoDBDocumentClient.from(client).send(
    new ScanCommand({ TableName: local.functionEnv.AUDIT_TABLE_NAME }),
  );
  client.destroy();
  return Items;
}
