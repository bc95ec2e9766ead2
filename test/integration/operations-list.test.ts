import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '#layers/aws/clients.ts';
import { DynamoOperationStore, type OperationStatus } from '#layers/writes/operation-store.ts';
import { localDynamo } from '#test/helpers/audit.ts';
import { expectRefusals, type Refusal } from '#test/helpers/list-refusals.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { proposeAndConfirm, waitForOperation } from '#test/helpers/operations.ts';

const run = randomUUID().slice(0, 8);
const ana = { sub: `ana-${run}`, roles: ['support'] };
const sam = { sub: `sam-${run}`, roles: ['sales'] };
const approver = { sub: `bea-${run}`, roles: ['approver'] };
const admin = { sub: `adm-${run}`, roles: ['admin'] };

const DAY = 86_400_000;
const base = Date.now() - 10 * DAY;
const at = (hours: number) => new Date(base + hours * 3_600_000).toISOString();

interface Seeded {
  id: string;
  owner: string;
  tool: string;
  status: OperationStatus;
  createdAt: string;
}

/** 12 of ana's tickets (one an hour) and 4 of sam's orders, one failed. */
const seeded: Seeded[] = [
  ...Array.from({ length: 12 }, (_, index) => ({
    id: `op_${run}_ana_${index}`,
    owner: ana.sub,
    tool: 'create_ticket',
    status: (index % 3 === 0 ? 'rolled_back' : 'succeeded') as OperationStatus,
    createdAt: at(index),
  })),
  ...Array.from({ length: 4 }, (_, index) => ({
    id: `op_${run}_sam_${index}`,
    owner: sam.sub,
    tool: 'create_order',
    status: (index === 1 ? 'failed' : 'succeeded') as OperationStatus,
    createdAt: at(20 + index),
  })),
];
const newestFirst = (items: Seeded[]) =>
  [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((item) => item.id);

describe('GET /operations in local mode', () => {
  let local: LocalHarness;
  const list = (query: string, as: { sub: string; roles: string[] }) =>
    local.call('GET', `/operations${query}`, { as });
  const ids = (body: { operations: { id: string }[] }) =>
    body.operations.map((operation) => operation.id).filter((id) => id.includes(run));

  beforeAll(async () => {
    local = await startLocalHarness({ USER_RATE_LIMIT: '5000/60' });
    const client = localDynamo(local);
    const store = new DynamoOperationStore({
      client: createDocumentClient(client),
      tableName: local.functionEnv.OPERATIONS_TABLE_NAME ?? '',
    });
    for (const operation of seeded) {
      await store.createIfAbsent({
        ...operation,
        confirmedBy: operation.owner === sam.sub ? approver.sub : operation.owner,
        confirmationId: `cf_${operation.id}`,
        input: { note: 'seeded' },
        steps: [{ name: 'create', status: 'succeeded', attempts: 1 }],
        updatedAt: operation.createdAt,
      });
      if (operation.status !== 'queued')
        await store.finish(operation.id, operation.status, {
          ...(operation.status === 'failed'
            ? { error: { code: 'compensation_failed', message: 'needs a person' } }
            : {}),
        });
    }
    client.destroy();
  }, 120_000);
  afterAll(() => local.stop());

  it('lists only the caller’s own operations, newest first, for a user without approver or admin', async () => {
    // Act
    const res = await list('?limit=100', ana);
    // Assert
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(newestFirst(seeded.filter((op) => op.owner === ana.sub)));
    expect(res.body.operations.every((op: { owner: string }) => op.owner === ana.sub)).toBe(true);
    expect(res.body.operations[0]).toMatchObject({
      tool: 'create_ticket',
      owner: ana.sub,
      confirmedBy: ana.sub,
      steps: [{ name: 'create', status: 'succeeded', attempts: 1 }],
    });
    expect(res.body.operations[0]).not.toHaveProperty('input');
  });

  it('refuses another owner’s operations to a user without approver or admin, naming the roles', async () => {
    // Act
    const other = await list(`?owner=${sam.sub}`, ana);
    const own = await list(`?owner=${ana.sub}&limit=100`, ana);
    // Assert
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    expect(other.body.error.message).toContain('approver');
    expect(other.body.error.message).toContain('admin');
    expect(own.status).toBe(200);
    expect(ids(own.body)).toHaveLength(12);
  });

  it('shows approvers and admins everyone’s operations, filtered by status, tool and owner', async () => {
    // Act
    const failed = await list('?status=failed&limit=100', approver);
    const orders = await list('?tool=create_order&limit=100', admin);
    const samsSucceeded = await list(`?owner=${sam.sub}&status=succeeded`, approver);
    const rolledBackTickets = await list(
      '?status=rolled_back&tool=create_ticket&limit=100',
      approver,
    );
    const everything = await list('?limit=100', admin);
    // Assert
    expect(ids(failed.body)).toEqual([`op_${run}_sam_1`]);
    expect(failed.body.operations[0].error).toEqual({
      code: 'compensation_failed',
      message: 'needs a person',
    });
    expect(ids(orders.body)).toEqual(
      newestFirst(seeded.filter((op) => op.tool === 'create_order')),
    );
    expect(ids(samsSucceeded.body)).toEqual(
      newestFirst(seeded.filter((op) => op.owner === sam.sub && op.status === 'succeeded')),
    );
    expect(ids(rolledBackTickets.body)).toEqual(
      newestFirst(seeded.filter((op) => op.status === 'rolled_back')),
    );
    expect(ids(everything.body)).toEqual(newestFirst(seeded));
  });

  it('keeps to the time range from..to, both ends included', async () => {
    // Act
    const res = await list(`?from=${at(3)}&to=${at(6)}&owner=${ana.sub}`, approver);
    const fromOnly = await list(`?from=${at(21)}`, approver);
    // Assert
    expect(ids(res.body)).toEqual(newestFirst(seeded.filter((op) => op.id.match(/_ana_[3-6]$/))));
    expect(ids(fromOnly.body)).toEqual(newestFirst(seeded.filter((op) => op.createdAt >= at(21))));
  });

  it('pages with the cursor until the end, each operation once', async () => {
    // Arrange
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    // Act
    do {
      const res = await list(
        `?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        ana,
      );
      expect(res.status).toBe(200);
      expect(res.body.operations.length).toBeLessThanOrEqual(5);
      seen.push(...ids(res.body));
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    // Assert
    expect(seen).toEqual(newestFirst(seeded.filter((op) => op.owner === ana.sub)));
    expect(pages).toBe(3);
  });

  it('answers 400 naming the parameter for a bad limit, status, time, range or cursor', async () => {
    // Arrange
    const first = await list('?limit=2', ana);
    const cases: Refusal[] = [
      ['?limit=0', 'invalid_input', 'limit'],
      ['?limit=101', 'invalid_input', 'limit'],
      ['?limit=ten', 'invalid_input', 'limit'],
      ['?status=done', 'invalid_input', 'status'],
      ['?from=yesterday', 'invalid_input', 'from'],
      ['?to=2026-13-45T00:00:00Z', 'invalid_input', 'to'],
      [`?from=${at(5)}&to=${at(1)}`, 'invalid_input', 'from'],
      ['?colour=red', 'invalid_input', 'colour'],
      ['?cursor=not-a-cursor', 'invalid_cursor', 'cursor'],
      [`?status=failed&cursor=${first.body.cursor}`, 'invalid_cursor', 'cursor'],
    ];
    // Act, Assert
    await expectRefusals((query) => list(query, ana), cases);
  });

  it('lists a confirmed write and answers its owner, confirmer, times and confirmation by id', async () => {
    // Arrange
    const owner = { sub: `ivy-${run}`, roles: ['support'] };
    const { operationId, confirmationId } = await proposeAndConfirm(
      local,
      'create_ticket',
      {
        customerId: 'C-00021',
        subject: 'Listed operation',
        description: 'A ticket proposed to see it in the list of operations.',
        priority: 'low',
      },
      owner,
    );
    await waitForOperation(local, operationId, owner);
    // Act
    const listed = await list('?tool=create_ticket', owner);
    const detail = await local.call('GET', `/operations/${operationId}`, { as: admin });
    // Assert
    expect(listed.body.operations.map((op: { id: string }) => op.id)).toEqual([operationId]);
    expect(detail.status).toBe(200);
    expect(detail.body.operation).toMatchObject({
      id: operationId,
      owner: owner.sub,
      confirmedBy: owner.sub,
      confirmationId,
      status: 'succeeded',
    });
    expect(Date.parse(detail.body.operation.createdAt)).toBeLessThanOrEqual(
      Date.parse(detail.body.operation.updatedAt),
    );
  }, 90_000);
});
