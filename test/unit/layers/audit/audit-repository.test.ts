import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoAuditRepository } from '#layers/audit/audit-repository.ts';
import { createDocumentClient } from '#layers/aws/clients.ts';

const dynamo = mockClient(DynamoDBClient);

function repositoryOnMock() {
  const documentClient = createDocumentClient(new DynamoDBClient({}));
  const documentMock = mockClient(documentClient);
  const repository = new DynamoAuditRepository({
    client: documentClient,
    tableName: 'audit',
    retentionDays: 10,
  });
  return { documentMock, repository };
}

describe('DynamoAuditRepository', () => {
  beforeEach(() => dynamo.reset());

  it('writes one item keyed by caller, time and an id of its own, with an expiry', async () => {
    // Arrange
    const { documentMock, repository } = repositoryOnMock();
    documentMock.on(PutCommand).resolves({});
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
      requestId: 'req-1',
      tool: 'get_customer',
      input: '{"customerId":"C-00001"}',
      reason: 'customer asked',
      outcome: 'success',
      statusCode: 200,
      expiresAt: Math.floor(at.getTime() / 1000) + 10 * 86_400,
    });
    expect(input?.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(input?.Item?.sk).toMatch(/^2026-11-01T10:00:00\.000Z#[0-9a-f-]{36}$/);
    expect(input?.Item?.sk).toBe(`2026-11-01T10:00:00.000Z#${input?.Item?.auditId}`);
  });

  it('gives records of the same caller, millisecond and request id distinct keys', async () => {
    // Arrange
    const { documentMock, repository } = repositoryOnMock();
    documentMock.on(PutCommand).resolves({});
    const record = {
      requestId: 'same-request-id',
      at: new Date('2026-11-01T10:00:00.000Z'),
      sub: 'ana',
      roles: [],
      tool: 'get_customer',
      outcome: 'success' as const,
      statusCode: 200,
      durationMs: 1,
    };
    // Act
    await Promise.all(Array.from({ length: 50 }, () => repository.put(record)));
    // Assert
    const keys = documentMock.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.sk);
    expect(new Set(keys).size).toBe(50);
  });

  it('treats a condition failure as its own earlier attempt having landed', async () => {
    // Arrange: the SDK retried a put whose first attempt was written
    const { documentMock, repository } = repositoryOnMock();
    documentMock
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    // Act
    const written = repository.put({
      requestId: 'r',
      at: new Date(),
      sub: 'ana',
      roles: [],
      tool: 't',
      outcome: 'success',
      statusCode: 200,
      durationMs: 1,
    });
    // Assert
    await expect(written).resolves.toBeUndefined();
  });
});
