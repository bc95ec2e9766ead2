/**
 * Key design of the audit table, shared by the CDK app and local mode so both create the same
 * table. Records are found per caller (`pk = CALLER#<sub>`, newest last by `sk`), and per tool
 * through the `byTool` index.
 */
export const auditTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  byToolIndex: { name: 'byTool', partitionKey: 'tool', sortKey: 'sk' },
} as const;
