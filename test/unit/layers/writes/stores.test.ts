import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '#layers/aws/clients.ts';
import { DynamoConfirmationStore } from '#layers/writes/confirmation-store.ts';
import { DynamoOperationStore } from '#layers/writes/operation-store.ts';

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('DynamoConfirmationStore', () => {
  const client = createDocumentClient(new DynamoDBClient({ region: 'us-east-1' }));
  const dynamo = mockClient(client);
  const store = new DynamoConfirmationStore({ client, tableName: 'confirmations' });
  beforeEach(() => dynamo.reset());

  it('confirms only a pending, unexpired confirmation, in one conditional update', async () => {
    dynamo.on(UpdateCommand).resolves({});
    const now = new Date('2026-11-01T10:00:00.000Z');
    await expect(store.confirm('cf_1', 'op_1', 'bea', now)).resolves.toBe(true);
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ pk: 'confirmation#cf_1' });
    expect(input?.ConditionExpression).toBe('#status = :pending AND expiresAt > :now');
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':op': 'op_1',
      ':by': 'bea',
      ':now': now.toISOString(),
    });
  });

  it('keeps the policy version a confirmation was confirmed under when it is given', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await store.confirm('cf_1', 'op_1', 'bea', new Date(), 'a1b2c3d4e5f6');
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toContain('confirmedPolicyVersion = :version');
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':version': 'a1b2c3d4e5f6' });
  });

  it('reports a lost race or an expiry as false instead of throwing', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    await expect(store.confirm('cf_1', 'op_1', 'bea', new Date())).resolves.toBe(false);
    await expect(store.cancel('cf_1')).resolves.toBe(false);
  });

  it('returns the existing claim when an Idempotency-Key is already taken', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo
      .on(GetCommand)
      .resolves({ Item: { pk: 'idempotency#k', confirmationId: 'cf_0', inputDigest: 'abc' } });
    const claimed = await store.claimIdempotencyKey(
      'k',
      { confirmationId: 'cf_9', inputDigest: 'abc' },
      new Date(),
    );
    expect(claimed).toEqual({ confirmationId: 'cf_0', inputDigest: 'abc' });
  });

  it('stores input and preview as JSON and reads them back', async () => {
    dynamo.on(GetCommand).resolves({
      Item: {
        pk: 'confirmation#cf_1',
        id: 'cf_1',
        tool: 't',
        sub: 'ana',
        input: '{"a":1}',
        preview: '{"summary":"s","changes":[]}',
        status: 'pending',
        ttl: 1,
      },
    });
    const found = await store.get('cf_1');
    expect(found).toMatchObject({
      id: 'cf_1',
      input: { a: 1 },
      preview: { summary: 's', changes: [] },
    });
    expect(found).not.toHaveProperty('ttl');
  });
});

describe('DynamoOperationStore', () => {
  const client = createDocumentClient(new DynamoDBClient({ region: 'us-east-1' }));
  const dynamo = mockClient(client);
  const store = new DynamoOperationStore({ client, tableName: 'operations' });
  beforeEach(() => dynamo.reset());

  it('counts a step attempt with ADD, so concurrent retries are all counted', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await store.stepStarted('op_1', 'reserve_stock', 'running');
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toContain('ADD steps.#step.attempts :one');
    expect(input?.ExpressionAttributeNames).toMatchObject({ '#step': 'reserve_stock' });
  });

  it('returns the stored operation when creating one that exists', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({
      Item: {
        pk: 'op_1',
        tool: 'create_ticket',
        owner: 'ana',
        confirmedBy: 'ana',
        confirmationId: 'cf_1',
        input: '{}',
        status: 'running',
        stepOrder: ['create_ticket'],
        steps: { create_ticket: { status: 'running', attempts: 2 } },
        createdAt: 'x',
        updatedAt: 'y',
      },
    });
    const stored = await store.createIfAbsent({
      id: 'op_1',
      tool: 'create_ticket',
      owner: 'ana',
      confirmedBy: 'ana',
      confirmationId: 'cf_1',
      input: {},
      status: 'queued',
      steps: [{ name: 'create_ticket', status: 'pending', attempts: 0 }],
      createdAt: 'x',
      updatedAt: 'x',
    });
    expect(stored.status).toBe('running');
    expect(stored.steps).toEqual([{ name: 'create_ticket', status: 'running', attempts: 2 }]);
  });

  it('moves queued to running only once', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    await expect(store.markRunning('op_1')).resolves.toBeUndefined();
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ConditionExpression).toBe(
      'attribute_exists(pk) AND #status = :queued',
    );
  });

  it('gives up only an operation that is still queued, and says whether it did', async () => {
    const error = { code: 'upstream_unavailable', message: 'Mail stayed unavailable.' };
    dynamo.on(UpdateCommand).resolvesOnce({}).rejects(conditionFailed());
    await expect(store.abandon('op_1', error)).resolves.toBe(true);
    await expect(store.abandon('op_2', error)).resolves.toBe(false);
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('attribute_exists(pk) AND #status = :queued');
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':rolledBack': 'rolled_back',
      ':error': error,
    });
  });
});
