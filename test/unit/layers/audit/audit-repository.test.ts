import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { AuditLine } from '#layers/audit/audit-log.ts';
import { DynamoAuditTable } from '#layers/audit/audit-repository.ts';
import { createDocumentClient } from '#layers/aws/clients.ts';

function tableOnMock(options: { maxAttempts?: number } = {}) {
  const documentClient = createDocumentClient(new DynamoDBClient({}));
  const documentMock = mockClient(documentClient);
  const pauses: number[] = [];
  const table = new DynamoAuditTable({
    client: documentClient,
    tableName: 'audit',
    retentionDays: 10,
    sleep: async (ms) => {
      pauses.push(ms);
    },
    ...options,
  });
  return { documentMock, table, pauses };
}

const line = (auditId: string, requestId = 'req-1'): AuditLine => ({
  auditId,
  record: {
    requestId,
    at: new Date('2026-11-01T10:00:00.000Z'),
    sub: 'ana',
    roles: ['support'],
    tool: 'get_customer',
    input: { customerId: 'C-00001' },
    reason: 'customer asked',
    outcome: 'success',
    statusCode: 200,
    durationMs: 12,
  },
});

const id = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;

describe('DynamoAuditTable', () => {
  it('writes one item per line keyed by caller, time and the line’s id, with an expiry', async () => {
    // Arrange
    const { documentMock, table } = tableOnMock();
    documentMock.on(BatchWriteCommand).resolves({});
    // Act
    await table.putAll([line(id(1))]);
    // Assert
    const calls = documentMock.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(1);
    const [request] = calls[0]?.args[0].input.RequestItems?.audit ?? [];
    expect(request?.PutRequest?.Item).toMatchObject({
      pk: 'CALLER#ana',
      sk: `2026-11-01T10:00:00.000Z#${id(1)}`,
      auditId: id(1),
      requestId: 'req-1',
      tool: 'get_customer',
      input: '{"customerId":"C-00001"}',
      reason: 'customer asked',
      outcome: 'success',
      statusCode: 200,
      expiresAt: Math.floor(Date.parse('2026-11-01T10:00:00.000Z') / 1000) + 10 * 86_400,
    });
  });

  it('writes 25 items per request and a line delivered twice once', async () => {
    // Arrange
    const { documentMock, table } = tableOnMock();
    documentMock.on(BatchWriteCommand).resolves({});
    const lines = Array.from({ length: 60 }, (_, index) => line(id(index)));
    // Act
    await table.putAll([...lines, lines[0] as AuditLine]);
    // Assert
    const sizes = documentMock
      .commandCalls(BatchWriteCommand)
      .map((call) => call.args[0].input.RequestItems?.audit?.length);
    expect(sizes).toEqual([25, 25, 10]);
  });

  it('sends the unprocessed items again after a pause until they are written', async () => {
    // Arrange
    const { documentMock, table, pauses } = tableOnMock();
    const second = { PutRequest: { Item: { pk: 'CALLER#ana', sk: 'x' } } };
    documentMock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { audit: [second] } })
      .resolves({});
    // Act
    await table.putAll([line(id(1)), line(id(2))]);
    // Assert
    const calls = documentMock.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.RequestItems?.audit).toEqual([second]);
    expect(pauses).toHaveLength(1);
  });

  it('throws when items stay unprocessed, so that the platform delivers the batch again', async () => {
    // Arrange
    const { documentMock, table, pauses } = tableOnMock({ maxAttempts: 3 });
    documentMock.on(BatchWriteCommand).callsFake((input) => ({
      UnprocessedItems: input.RequestItems,
    }));
    // Act
    const written = table.putAll([line(id(1))]);
    // Assert
    await expect(written).rejects.toThrow('1 records still unprocessed after 3 tries');
    expect(pauses).toHaveLength(2);
  });
});
