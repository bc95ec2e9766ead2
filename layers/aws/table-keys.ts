/**
 * A global secondary index as the key modules declare it (layers/audit/audit-table.ts,
 * layers/writes/operation-store.ts), so that the CDK app and local mode create the same indexes
 * from one declaration. String keys only.
 */
export interface IndexKeys {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** `keys`: only the table's and the index's keys are projected (a lookup). @default 'all' */
  readonly projection?: 'all' | 'keys';
}

/**
 * The attributes of a key on an index: the table's key, then the index's, once each (the shape
 * of DynamoDB's LastEvaluatedKey on it).
 *
 * @example
 * keyAttributesOf(['pk', 'sk'], { name: 'byTool', partitionKey: 'tool', sortKey: 'sk' }); // ['pk', 'sk', 'tool']
 */
export function keyAttributesOf(tableKey: readonly string[], index?: IndexKeys): string[] {
  const names = [...tableKey, ...(index ? [index.partitionKey, index.sortKey ?? ''] : [])];
  return [...new Set(names.filter(Boolean))];
}
