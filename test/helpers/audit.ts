import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { LocalMode } from '#local/start-local.ts';

/** A DynamoDB client for local mode's dynalite; destroy it when done. */
export function localDynamo(local: LocalMode): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: local.emulators.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Every audit record local mode has written (a scan of its dynalite table, every page), once the
 * lines written so far are delivered: the calls a test made are all in it.
 */
export async function auditRecords(local: LocalMode): Promise<Record<string, unknown>[]> {
  await local.auditDelivered();
  const client = localDynamo(local);
  const items: Record<string, unknown>[] = [];
  const pages = paginateScan(
    { client: DynamoDBDocumentClient.from(client) },
    { TableName: local.functionEnv.AUDIT_TABLE_NAME },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  client.destroy();
  return items;
}
