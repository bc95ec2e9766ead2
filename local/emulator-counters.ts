/**
 * What the DynamoDB emulator's thread (dynalite-thread.ts) shares with local mode's main thread:
 * requests counted by operation, the bench's delay, and the time spent serving them.
 */

/** The operations counted one by one; any other counts as `other`. */
const OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'CreateTable',
  'DescribeTable',
  'DeleteTable',
  'ListTables',
  'UpdateTable',
  'UpdateTimeToLive',
  'DescribeTimeToLive',
] as const;
const OTHER = OPERATIONS.length;
const slots = new Map<string, number>(OPERATIONS.map((operation, index) => [operation, index]));

/** The counter of an operation named by its `X-Amz-Target` (`DynamoDB_20120810.GetItem` → `GetItem`). */
export const dynamodbOperationSlot = (operation: string): number => slots.get(operation) ?? OTHER;

/** The shared memory the thread is started with. */
export interface DynaliteThreadData {
  /** Int32 per operation, `other` last. */
  readonly counts: SharedArrayBuffer;
  /** Int32: ms each request is held before it is served (the bench's). */
  readonly delay: SharedArrayBuffer;
  /** Float64: ms spent serving requests so far, from arrival to the end of the answer. */
  readonly busy: SharedArrayBuffer;
}

export function dynaliteThreadData(): DynaliteThreadData {
  return {
    counts: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (OPERATIONS.length + 1)),
    delay: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
    busy: new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT),
  };
}

/** Requests counted so far, by operation, leaving out those never made. */
export function countedOperations(data: DynaliteThreadData): Record<string, number> {
  const counts = new Int32Array(data.counts);
  const counted: Record<string, number> = {};
  [...OPERATIONS, 'other'].forEach((operation, index) => {
    const count = Atomics.load(counts, index);
    if (count > 0) counted[operation] = count;
  });
  return counted;
}
