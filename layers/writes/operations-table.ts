import type { IndexKeys } from '../aws/table-keys.ts';

/**
 * Key design of the operations table, shared by the CDK app and local mode: one item per
 * operation (`pk` = its id); the lists of GET /operations read the indexes, newest first by
 * `createdAt`: per owner, per status, per tool, and every operation (`listed`, set on each).
 */
export const operationsTable = {
  partitionKey: 'pk',
  byOwnerIndex: { name: 'byOwner', partitionKey: 'owner', sortKey: 'createdAt' },
  byStatusIndex: { name: 'byStatus', partitionKey: 'status', sortKey: 'createdAt' },
  byToolIndex: { name: 'byTool', partitionKey: 'tool', sortKey: 'createdAt' },
  byCreatedIndex: { name: 'byCreated', partitionKey: 'listed', sortKey: 'createdAt' },
} as const;

/** Every index of the operations table, for the CDK app and local mode to create. */
export const operationIndexes: readonly IndexKeys[] = [
  operationsTable.byOwnerIndex,
  operationsTable.byStatusIndex,
  operationsTable.byToolIndex,
  operationsTable.byCreatedIndex,
];

/** The value of `listed` on every operation: the one partition of the all-operations index. */
export const LISTED_OPERATION = 'operation';
