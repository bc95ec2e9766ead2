import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '#layers/audit/audit-repository.ts';
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

/**
 * An audit record for unit tests: ana (support) read a customer, successfully, at a fixed time;
 * `overrides` change any field.
 *
 * @example
 * auditRecordOf({ requestId: 'r1', outcome: 'error', statusCode: 503 });
 */
export const auditRecordOf = (overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  requestId: 'req-1',
  at: new Date('2026-12-03T07:00:00.000Z'),
  sub: 'ana',
  roles: ['support'],
  tool: 'get_customer',
  outcome: 'success',
  statusCode: 200,
  durationMs: 4,
  ...overrides,
});
