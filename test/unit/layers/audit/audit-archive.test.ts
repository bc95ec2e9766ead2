import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { archiveColumns, archiveInputTemplate } from '#layers/audit/audit-archive.ts';
import { DynamoAuditTable } from '#layers/audit/audit-repository.ts';
import { createDocumentClient } from '#layers/aws/clients.ts';

/** The item the repository writes, typed as DynamoDB (and its stream) has it: `{"S": …}`, `{"N": …}`. */
async function storedItem(): Promise<Record<string, unknown>> {
  // The document client marshals first; this step, after it, keeps the item and answers for AWS.
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  let item: Record<string, unknown> | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      const { RequestItems } = args.input as {
        RequestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]>;
      };
      item = RequestItems.audit?.[0]?.PutRequest.Item;
      return { output: { $metadata: {} } as never, response: {} };
    },
    { step: 'build', name: 'keepStoredItem' },
  );
  const table = new DynamoAuditTable({
    client: createDocumentClient(client),
    tableName: 'audit',
    retentionDays: 10,
  });
  const record = {
    requestId: 'req-1',
    at: new Date('2026-12-02T10:00:00.000Z'),
    sub: 'ana',
    roles: ['support', 'sales'],
    clientId: 'console',
    tool: 'get_customer',
    input: { customerId: 'C-00001', note: 'said "hi"' },
    reason: 'customer asked',
    conversationId: 'conv-1',
    outcome: 'error',
    statusCode: 503,
    errorCode: 'upstream_unavailable',
    errorMessage: 'ERP is unavailable',
    durationMs: 12,
  } as const;
  await table.putAll([{ auditId: '0b9d6c3e-5f1a-4b7e-9c2d-8e4f6a1b3c5d', record }]);
  if (!item) throw new Error('the ingest wrote nothing');
  return item;
}

/** A JSON path of the pipe's subset: dots, and `[*]` over a list. */
function resolve(document: unknown, path: string): unknown {
  let values: unknown[] = [document];
  let many = false;
  for (const segment of path.replace(/^\$\./, '').split('.')) {
    const wildcard = segment.endsWith('[*]');
    const key = wildcard ? segment.slice(0, -3) : segment;
    values = values.map((value) => (value as Record<string, unknown> | undefined)?.[key]);
    if (wildcard) {
      values = values.flatMap((value) => (Array.isArray(value) ? value : []));
      many = true;
    }
  }
  return many ? values : values[0];
}

/**
 * The input transformation as EventBridge Pipes documents it: a placeholder in quotes takes the
 * string's characters (escaped), one without quotes a JSON value.
 */
function transform(template: string, event: unknown): string {
  return template
    .replace(/"<([^>]+)>"/g, (_, path: string) => JSON.stringify(resolve(event, path) ?? ''))
    .replace(/<([^>]+)>/g, (_, path: string) => JSON.stringify(resolve(event, path) ?? null));
}

describe('the audit archive format', () => {
  it('finds every field of a stored record in its stream image, with the type the repository writes', async () => {
    // Arrange
    const event = { eventName: 'INSERT', dynamodb: { NewImage: await storedItem() } };

    // Act
    const row = JSON.parse(transform(archiveInputTemplate(), event));

    // Assert
    expect(row).toMatchObject({
      requestId: 'req-1',
      at: '2026-12-02T10:00:00.000Z',
      sub: 'ana',
      roles: ['support', 'sales'],
      clientId: 'console',
      tool: 'get_customer',
      reason: 'customer asked',
      conversationId: 'conv-1',
      outcome: 'error',
      errorCode: 'upstream_unavailable',
      errorMessage: 'ERP is unavailable',
    });
    expect(JSON.parse(row.input)).toEqual({ customerId: 'C-00001', note: 'said "hi"' });
    expect(Number(row.statusCode)).toBe(503);
    expect(Number(row.durationMs)).toBe(12);
    expect(row.auditId).toMatch(/^[0-9a-f-]{36}$/);
    // Every column but upstream (written by the calls that reach a system) is in this record.
    const missing = archiveColumns
      .filter((column) => column.name !== 'upstream')
      .filter((column) => resolve(event, column.path) === undefined)
      .map((column) => column.name);
    expect(missing).toEqual([]);
  });

  it('names each column once, in the lower case Athena reads, with a Hive type', () => {
    const names = archiveColumns.map((column) => column.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    for (const column of archiveColumns)
      expect(column.type, column.name).toMatch(/^(string|int|array<string>|struct<.+>)$/);
  });
});
