import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoAuditRepository } from '#layers/audit/audit-repository.ts';
import { createDocumentClient } from '#layers/aws/clients.ts';

const dynamo = mockClient(DynamoDBClient);

describe('DynamoAuditRepository', () => {
  beforeEach(() => dynamo.reset());

  it('writes one item keyed by caller and time with an expiry', async () => {
    // Arrange
    const documentClient = createDocumentClient(new DynamoDBClient({}));
    const documentMock = mockClient(documentClient);
    documentMock.on(PutCommand).resolves({});
    const repository = new DynamoAuditRepository({
      client: documentClient,
      tableName: 'audit',
      retentionDays: 10,
    });
    const at = new Date('2026-11-01T10:00:00.000Z');
    // Act
    await repository.put({
      requestId: 'req-1',
      at,
      sub: 'ana',
      roles: ['support'],
      tool: 'get_customer',
      input: { customerId: 'C-00001' },
      reason: 'customer asked',
      outcome: 'success',
      statusCode: 200,
      durationMs: 12,
    });
    // Assert
    const calls = documentMock.commandCalls(PutCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.TableName).toBe('audit');
    expect(input?.Item).toMatchObject({
      pk: 'CALLER#ana',
      sk: '2026-11-01T10:00:00.000Z#req-1',
      tool: 'get_customer',
      input: '{"customerId":"C-00001"}',
      reason: 'customer asked',
      outcome: 'success',
      statusCode: 200,
      expiresAt: Math.floor(at.getTime() / 1000) + 10 * 86_400,
    });
    expect(input?.ConditionExpression).toBe('attribute_not_exists(#pk)');
  });
});
