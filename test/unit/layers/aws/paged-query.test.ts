import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pagedQuery, type QueryPlan } from '#layers/aws/paged-query.ts';
import { InvalidQueryError } from '#layers/errors/index.ts';

const plan: QueryPlan = {
  index: 'byTool',
  partitionKey: 'tool',
  partitions: ['get_customer'],
  sortKey: 'sk',
  filters: { outcome: 'error' },
  forward: false,
  keyAttributes: ['pk', 'sk', 'tool'],
};
const key = { pk: 'CALLER#ana', sk: '2026-12-01T10:00:00.000Z#a', tool: 'get_customer' };

const refusal = (run: () => unknown): InvalidQueryError => {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidQueryError) return error;
    throw error;
  }
  throw new Error('expected an InvalidQueryError');
};

describe('cursor codec', () => {
  it('decodes what it encoded for the same plan', () => {
    // Act
    const cursor = encodeCursor(plan, { partition: 'get_customer', key });
    // Assert
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(plan, cursor)).toEqual({ partition: 'get_customer', key });
  });

  it('refuses a cursor made for other filters, with invalid_cursor on the path cursor', () => {
    // Arrange
    const cursor = encodeCursor(plan, { partition: 'get_customer', key });
    const other = { ...plan, filters: { outcome: 'success' } };
    // Act
    const error = refusal(() => decodeCursor(other, cursor));
    // Assert
    expect(error.code).toBe('invalid_cursor');
    expect(error.statusCode).toBe(400);
    expect(error.issues).toEqual([{ path: 'cursor', message: 'it was made for other filters' }]);
  });

  it('keeps a cursor valid when a walk over days gains a day, and refuses one for a day it no longer walks', () => {
    // Arrange
    const days = { ...plan, partitions: ['DAY#2026-12-02', 'DAY#2026-12-01'] };
    const cursor = encodeCursor(days, { partition: 'DAY#2026-12-01' });
    // Act
    const grown = decodeCursor(
      { ...days, partitions: ['DAY#2026-12-03', ...days.partitions] },
      cursor,
    );
    const error = refusal(() => decodeCursor({ ...days, partitions: ['DAY#2026-12-02'] }, cursor));
    // Assert
    expect(grown).toEqual({ partition: 'DAY#2026-12-01' });
    expect(error.code).toBe('invalid_cursor');
  });

  it.each([
    ['not base64url', '{"s":1}'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['a key of another shape', null],
    ['a key in another partition', undefined],
  ])('refuses a cursor that is %s', (_what, raw) => {
    // Arrange
    const cursor =
      raw === null
        ? encodeCursor(plan, {
            partition: 'get_customer',
            key: { pk: 'x', tool: 'get_customer' } as typeof key,
          })
        : raw === undefined
          ? encodeCursor(plan, {
              partition: 'get_customer',
              key: { ...key, tool: 'create_order' },
            })
          : raw;
    // Act
    const error = refusal(() => decodeCursor(plan, cursor));
    // Assert
    expect(error.code).toBe('invalid_cursor');
  });
});

/** A DynamoDB stand-in: each partition's items in order, served `Limit` at a time. */
function fakeTable(partitions: Record<string, { sk: string; outcome: string }[]>) {
  const sent: Record<string, any>[] = [];
  return {
    sent,
    client: {
      async send(command: { input: Record<string, any> }) {
        const input = command.input;
        sent.push(input);
        const all = partitions[input.ExpressionAttributeValues[':pk']] ?? [];
        const start = input.ExclusiveStartKey
          ? all.findIndex((item) => item.sk === input.ExclusiveStartKey.sk) + 1
          : 0;
        const read = all.slice(start, start + input.Limit);
        const wanted = input.ExpressionAttributeValues[':f0'];
        const items = read
          .filter((item) => wanted === undefined || item.outcome === wanted)
          .map((item) => ({ ...item, pk: 'p', tool: input.ExpressionAttributeValues[':pk'] }));
        const last = read.at(-1);
        return {
          Items: items,
          ...(start + read.length < all.length && last
            ? {
                LastEvaluatedKey: {
                  pk: 'p',
                  sk: last.sk,
                  tool: input.ExpressionAttributeValues[':pk'],
                },
              }
            : {}),
        };
      },
    } as any,
  };
}

describe('pagedQuery', () => {
  const items = (count: number, outcome = 'error') =>
    Array.from({ length: count }, (_, index) => ({
      sk: `t${String(index).padStart(3, '0')}`,
      outcome,
    }));

  it('pages through one partition with the cursor, each item once, and stops with no cursor at the end', async () => {
    // Arrange
    const table = fakeTable({ get_customer: items(7) });
    const unfiltered = { ...plan, filters: {} };
    // Act
    const first = await pagedQuery(table.client, 'audit', unfiltered, { limit: 3 });
    const second = await pagedQuery(table.client, 'audit', unfiltered, {
      limit: 3,
      cursor: first.cursor,
    });
    const third = await pagedQuery(table.client, 'audit', unfiltered, {
      limit: 3,
      cursor: second.cursor,
    });
    // Assert
    expect([...first.items, ...second.items, ...third.items].map((item) => item.sk)).toEqual(
      items(7).map((item) => item.sk),
    );
    expect(third.cursor).toBeUndefined();
    expect(table.sent[0]).toMatchObject({ IndexName: 'byTool', ScanIndexForward: false, Limit: 3 });
    expect(table.sent[0]).not.toHaveProperty('FilterExpression');
  });

  it('keeps reading filtered pages until the limit, and resumes after the last item it answered', async () => {
    // Arrange
    const mixed = items(600).map((item, index) => ({
      ...item,
      outcome: index % 50 === 0 ? 'error' : 'success',
    }));
    const table = fakeTable({ get_customer: mixed });
    // Act
    const first = await pagedQuery(table.client, 'audit', plan, { limit: 5 });
    const rest = await pagedQuery(table.client, 'audit', plan, {
      limit: 100,
      cursor: first.cursor,
    });
    // Assert
    expect(first.items.map((item) => item.sk)).toEqual(['t000', 't050', 't100', 't150', 't200']);
    expect(rest.items.map((item) => item.sk)).toEqual([
      't250',
      't300',
      't350',
      't400',
      't450',
      't500',
      't550',
    ]);
    expect(table.sent[0]).toMatchObject({ FilterExpression: '#f0 = :f0' });
  });

  it('walks the partitions in order and answers what it has with a cursor when the budget runs out', async () => {
    // Arrange
    const days = { ...plan, filters: {}, partitions: ['d3', 'd2', 'd1', 'd0'] };
    const table = fakeTable({ d3: items(1), d1: items(2) });
    // Act
    const first = await pagedQuery(table.client, 'audit', days, { limit: 10, budget: 2 });
    const rest = await pagedQuery(table.client, 'audit', days, {
      limit: 10,
      budget: 5,
      cursor: first.cursor,
    });
    // Assert
    expect(first.items).toHaveLength(1);
    expect(decodeCursor(days, first.cursor as string)).toEqual({ partition: 'd1' });
    expect(rest.items).toHaveLength(2);
    expect(rest.cursor).toBeUndefined();
  });

  it('bounds the sort key by from and to', async () => {
    // Arrange
    const table = fakeTable({});
    // Act
    await pagedQuery(table.client, 'audit', { ...plan, sortFrom: 'a', sortTo: 'b' }, { limit: 1 });
    await pagedQuery(table.client, 'audit', { ...plan, sortTo: 'b' }, { limit: 1 });
    // Assert
    expect(table.sent[0]?.KeyConditionExpression).toBe('#pk = :pk AND #sk BETWEEN :from AND :to');
    expect(table.sent[1]?.KeyConditionExpression).toBe('#pk = :pk AND #sk <= :to');
  });
});
