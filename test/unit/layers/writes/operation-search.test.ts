import { describe, expect, it } from 'vitest';
import { planOperationSearch } from '#layers/writes/operation-search.ts';

describe('planOperationSearch', () => {
  it('queries by owner first, then status, then tool, filtering on the others, newest first', () => {
    // Act
    const byOwner = planOperationSearch({ owner: 'ana', status: 'failed', tool: 'create_order' });
    const byStatus = planOperationSearch({ status: 'failed', tool: 'create_order' });
    const byTool = planOperationSearch({ tool: 'create_order' });
    // Assert
    expect(byOwner).toMatchObject({
      index: 'byOwner',
      partitions: ['ana'],
      filters: { status: 'failed', tool: 'create_order' },
      forward: false,
      keyAttributes: ['pk', 'owner', 'createdAt'],
    });
    expect(byStatus).toMatchObject({
      index: 'byStatus',
      partitions: ['failed'],
      filters: { tool: 'create_order' },
    });
    expect(byTool).toMatchObject({ index: 'byTool', partitions: ['create_order'], filters: {} });
  });

  it('reads every operation by time when no filter names a key, bounded by from and to', () => {
    // Act
    const all = planOperationSearch({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
    });
    // Assert
    expect(all).toMatchObject({
      index: 'byCreated',
      partitionKey: 'listed',
      partitions: ['operation'],
      sortFrom: '2026-12-01T00:00:00.000Z',
      sortTo: '2026-12-02T00:00:00.000Z',
    });
  });
});
