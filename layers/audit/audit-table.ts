import type { IndexKeys } from '../aws/table-keys.ts';

/**
 * Key design of the audit table, shared by the CDK app and local mode so both create the same
 * table. Records are found per caller (`pk = CALLER#<sub>`, `sk = <at>#<auditId>`, so they sort
 * by time), and through the indexes: per tool, per conversation (sparse: only records with one),
 * per request id, and per day for an auditor's search of everyone's records
 * (`day = DAY#yyyy-mm-dd`, walked backwards over a time range). A record's id is a UUID version 7
 * made from its time (audit-id.ts), so a lookup by id is one Query of the day index on the exact
 * sort key: every index is one more write of every record, and this one is not needed.
 *
 * The day index takes every record of a day in one partition: past about 1,000 records per
 * second, shard it (`DAY#<date>#<n>`) and merge the shards when reading.
 */
export const auditTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  byToolIndex: { name: 'byTool', partitionKey: 'tool', sortKey: 'sk' },
  byConversationIndex: { name: 'byConversation', partitionKey: 'conversationId', sortKey: 'sk' },
  byRequestIndex: { name: 'byRequest', partitionKey: 'requestId', sortKey: 'sk' },
  byDayIndex: { name: 'byDay', partitionKey: 'day', sortKey: 'sk' },
} as const;

/** Every index of the audit table, for the CDK app and local mode to create. */
export const auditIndexes: readonly IndexKeys[] = [
  auditTable.byToolIndex,
  auditTable.byConversationIndex,
  auditTable.byRequestIndex,
  auditTable.byDayIndex,
];

/** The day index's partition of a moment (UTC). */
export const dayPartition = (at: Date | string): string =>
  `DAY#${(typeof at === 'string' ? at : at.toISOString()).slice(0, 10)}`;
