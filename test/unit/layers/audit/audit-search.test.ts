import { describe, expect, it } from 'vitest';
import { planAuditSearch } from '#layers/audit/audit-search.ts';

const now = new Date('2026-12-02T15:00:00.000Z');
const plan = (filters: Parameters<typeof planAuditSearch>[0]) =>
  planAuditSearch(filters, { now, retentionDays: 365 });

describe('planAuditSearch', () => {
  it('picks the most selective key: request id, then conversation, caller, tool; the rest are filters', () => {
    // Act
    const byRequest = plan({ requestId: 'r1', conversationId: 'c1', sub: 'ana', outcome: 'error' });
    const byConversation = plan({ conversationId: 'c1', sub: 'ana', tool: 'get_customer' });
    const byCaller = plan({ sub: 'ana', tool: 'get_customer' });
    const byTool = plan({ tool: 'get_customer', outcome: 'success' });
    // Assert
    expect(byRequest).toMatchObject({
      index: 'byRequest',
      partitions: ['r1'],
      filters: { conversationId: 'c1', sub: 'ana', outcome: 'error' },
    });
    expect(byConversation).toMatchObject({
      index: 'byConversation',
      partitions: ['c1'],
      filters: { sub: 'ana', tool: 'get_customer' },
      forward: true,
    });
    expect(byCaller).toMatchObject({
      partitionKey: 'pk',
      partitions: ['CALLER#ana'],
      forward: false,
    });
    expect(byCaller).not.toHaveProperty('index');
    expect(byCaller.keyAttributes).toEqual(['pk', 'sk']);
    expect(byTool).toMatchObject({ index: 'byTool', filters: { outcome: 'success' } });
    expect(byTool.keyAttributes).toEqual(['pk', 'sk', 'tool']);
  });

  it('walks the day index backwards from to down to from when no key filter is given', () => {
    // Act
    const walk = plan({
      from: '2026-11-29T12:00:00.000Z',
      to: '2026-12-01T08:00:00.000Z',
      outcome: 'error',
    });
    const oldestFirst = plan({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      order: 'asc',
    });
    // Assert
    expect(walk).toMatchObject({
      index: 'byDay',
      partitions: ['DAY#2026-12-01', 'DAY#2026-11-30', 'DAY#2026-11-29'],
      sortFrom: '2026-11-29T12:00:00.000Z',
      sortTo: '2026-12-01T08:00:00.000Z#~',
      filters: { outcome: 'error' },
    });
    expect(oldestFirst.partitions).toEqual(['DAY#2026-11-30', 'DAY#2026-12-01']);
  });

  it('walks from today back over the retention period when no time is given', () => {
    // Act
    const walk = planAuditSearch({}, { now, retentionDays: 3 });
    // Assert
    expect(walk.partitions).toEqual([
      'DAY#2026-12-02',
      'DAY#2026-12-01',
      'DAY#2026-11-30',
      'DAY#2026-11-29',
    ]);
  });

  it('answers a conversation oldest first unless asked otherwise', () => {
    expect(plan({ conversationId: 'c1' }).forward).toBe(true);
    expect(plan({ conversationId: 'c1', order: 'desc' }).forward).toBe(false);
    expect(plan({ sub: 'ana', order: 'asc' }).forward).toBe(true);
  });
});
