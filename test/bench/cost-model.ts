/**
 * What a read tool call costs on AWS, all in, from what the bench counts and measures.
 *
 * Prices: us-east-1, on-demand list prices, first pricing tier, no free tier, taken on
 * 2026-12-03 from the figures last published on these pages (not re-fetched from this machine,
 * which reaches no network; check them before relying on a figure):
 * - API Gateway HTTP API: https://aws.amazon.com/api-gateway/pricing/ ($1.00 per million requests,
 *   first 300 million a month, each request up to 512 KB)
 * - Lambda arm64: https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests,
 *   $0.0000133334 per GB-second, first 7.5 billion GB-s a month; billed per 1 ms)
 * - DynamoDB on-demand: https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million
 *   write request units, $0.125 per million read request units, since the November 2024 cut)
 * - CloudWatch Logs: https://aws.amazon.com/cloudwatch/pricing/ ($0.50 per GB ingested, Standard
 *   log class)
 * - X-Ray: https://aws.amazon.com/xray/pricing/ ($5.00 per million traces recorded)
 * - DynamoDB provisioned: https://aws.amazon.com/dynamodb/pricing/provisioned/ ($0.00065 per
 *   write capacity unit-hour), used at the 70% the audit table's auto scaling aims for
 *   (`-c auditWriteCapacity`)
 */
export interface Prices {
  readonly date: string;
  readonly region: string;
  readonly apiGatewayHttpPerMillion: number;
  readonly lambdaRequestsPerMillion: number;
  readonly lambdaArmPerGbSecond: number;
  readonly dynamodbWriteUnitsPerMillion: number;
  readonly dynamodbReadUnitsPerMillion: number;
  readonly logsIngestedPerGb: number;
  readonly xrayTracesRecordedPerMillion: number;
  readonly dynamodbProvisionedWcuHour: number;
}

export const prices: Prices = {
  date: '2026-12-03',
  region: 'us-east-1',
  apiGatewayHttpPerMillion: 1.0,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmPerGbSecond: 0.000_013_333_4,
  dynamodbWriteUnitsPerMillion: 0.625,
  dynamodbReadUnitsPerMillion: 0.125,
  logsIngestedPerGb: 0.5,
  xrayTracesRecordedPerMillion: 5.0,
  dynamodbProvisionedWcuHour: 0.000_65,
};

/** The use the audit table's auto scaling aims for when provisioned (infra/stacks/stateful-stack.ts). */
export const PROVISIONED_UTILIZATION = 0.7;

/** Dollars per million write units on provisioned capacity used at `PROVISIONED_UTILIZATION`. */
export const provisionedWritesPerMillion = (price: Prices = prices) =>
  (price.dynamodbProvisionedWcuHour / (3600 * PROVISIONED_UTILIZATION)) * 1e6;

/** The goal of issue 14: at most this many dollars per million read calls. */
export const COST_GOAL_PER_MILLION = 2.5;

/**
 * Bytes of Lambda's own log lines per invocation. In the JSON log format they are
 * `platform.start` and `platform.report` (about 650 bytes), at INFO: the functions' system log
 * level is WARN (infra/constructs/gateway-function.ts), so none are written.
 */
export const LAMBDA_PLATFORM_LOG_BYTES = 0;

/**
 * The audit record delivered by a CloudWatch Logs subscription instead of a PutItem per call: a
 * Lambda invocation per delivered batch, writing one item per call (with BatchWriteItem). The
 * audit line's ingestion is already in the call's log bytes.
 */
export interface AuditSubscription {
  /** Calls whose audit lines arrive in one subscription delivery. */
  readonly callsPerBatch: number;
  /** Billed duration of one delivery's invocation. */
  readonly invocationMs: number;
  readonly memoryMb: number;
  /** Write request units of one audit item: its size in KB rounded up × (1 + the indexes it lands in). */
  readonly itemWriteUnits: number;
  /** The audit table on provisioned, auto-scaled capacity (`-c auditWriteCapacity`), not on demand. */
  readonly provisioned?: boolean;
}

/** What one read call consumes on AWS; each figure is per call. */
export interface CallUsage {
  /** Read request units (strongly consistent reads of items up to 4 KB: one per request). */
  readonly readUnits: number;
  /** Write request units on the answer's path and after it, indexes included. */
  readonly writeUnits: number;
  /** Bytes the call's function writes to CloudWatch Logs (its lines and Lambda's). */
  readonly logBytes: number;
  /** The handler's duration; Lambda bills it rounded up to the next millisecond. */
  readonly lambdaMs: number;
  readonly memoryMb: number;
  /** Traces X-Ray records per call (the sampling rule's share). */
  readonly traces: number;
  /** Set when the audit record goes by a log subscription rather than a PutItem per call. */
  readonly auditSubscription?: AuditSubscription;
}

export interface CostTerm {
  readonly term: string;
  /** Dollars per million calls. */
  readonly perMillion: number;
}

const gbSeconds = (ms: number, memoryMb: number) =>
  (Math.max(1, Math.ceil(ms)) / 1000) * (memoryMb / 1024);

/**
 * Dollars per million read calls, term by term, and their total.
 *
 * @example
 * costPerMillion({ readUnits: 1, writeUnits: 6, logBytes: 1200, lambdaMs: 7, memoryMb: 512, traces: 0.05 });
 * // { terms: [{ term: 'API Gateway HTTP API', perMillion: 1 }, …], total: 2.36 }
 */
export function costPerMillion(
  usage: CallUsage,
  price: Prices = prices,
): { terms: CostTerm[]; total: number } {
  const terms: CostTerm[] = [
    { term: 'API Gateway HTTP API', perMillion: price.apiGatewayHttpPerMillion },
    { term: 'Lambda requests', perMillion: price.lambdaRequestsPerMillion },
    {
      term: 'Lambda duration',
      perMillion: gbSeconds(usage.lambdaMs, usage.memoryMb) * price.lambdaArmPerGbSecond * 1e6,
    },
    {
      term: 'DynamoDB reads',
      perMillion: usage.readUnits * price.dynamodbReadUnitsPerMillion,
    },
    {
      term: 'DynamoDB writes',
      perMillion: usage.writeUnits * price.dynamodbWriteUnitsPerMillion,
    },
    {
      term: 'CloudWatch Logs ingestion',
      perMillion: ((usage.logBytes * 1e6) / 1024 ** 3) * price.logsIngestedPerGb,
    },
    {
      term: 'X-Ray traces',
      perMillion: usage.traces * price.xrayTracesRecordedPerMillion,
    },
  ];
  const audit = usage.auditSubscription;
  if (audit) {
    const invocations = 1 / Math.max(1, audit.callsPerBatch);
    terms.push({
      term: 'Audit delivery (subscription Lambda + item write)',
      perMillion:
        invocations *
          (price.lambdaRequestsPerMillion +
            gbSeconds(audit.invocationMs, audit.memoryMb) * price.lambdaArmPerGbSecond * 1e6) +
        audit.itemWriteUnits *
          (audit.provisioned
            ? provisionedWritesPerMillion(price)
            : price.dynamodbWriteUnitsPerMillion),
    });
  }
  return { terms, total: terms.reduce((sum, term) => sum + term.perMillion, 0) };
}

/**
 * Share of calls X-Ray records under a sampling rule at a steady rate: the reservoir's traces per
 * second first, then the fixed rate of the rest. X-Ray shares a rule's reservoir across every
 * instance, so `callsPerSecond` is the rate of all the calls the rule matches.
 *
 * @example
 * tracedShare({ reservoirPerSecond: 1, fixedRate: 0.05 }, 1 / 60); // 1: a quiet deployment is traced whole
 * tracedShare({ reservoirPerSecond: 0, fixedRate: 0.05 }, 50); // 0.05
 */
export function tracedShare(
  rule: { readonly reservoirPerSecond: number; readonly fixedRate: number },
  callsPerSecond: number,
): number {
  if (callsPerSecond <= 0) return 0;
  const reserved = Math.min(callsPerSecond, rule.reservoirPerSecond);
  return (reserved + rule.fixedRate * (callsPerSecond - reserved)) / callsPerSecond;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/**
 * Request units per call from DynamoDB requests counted by operation over `calls` calls. Each read
 * is one unit (strongly consistent, an item or a page up to 4 KB: the reads of the hot path are
 * of small state items); each write one unit (items up to 1 KB), a transaction twice. Audit items
 * land in indexes, each a write of its own: `auditIndexWrites` adds them.
 *
 * @example
 * requestUnits({ GetItem: 200, PutItem: 100 }, 100, { auditIndexWrites: 4 }); // { readUnits: 2, writeUnits: 5 }
 */
export function requestUnits(
  counted: Readonly<Record<string, number>>,
  calls: number,
  options: { auditIndexWrites?: number; excludeWrites?: readonly string[] } = {},
): { readUnits: number; writeUnits: number } {
  let reads = 0;
  let writes = 0;
  for (const [operation, count] of Object.entries(counted)) {
    if (READS.has(operation)) reads += count;
    else if (options.excludeWrites?.includes(operation)) continue;
    else if (WRITES.has(operation)) writes += count;
    else if (operation === 'TransactWriteItems') writes += 2 * count;
  }
  return {
    readUnits: reads / calls,
    writeUnits: writes / calls + (options.auditIndexWrites ?? 0),
  };
}

/** An index as the bench sees it: its keys and whether it holds the whole item. */
interface IndexShape {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly projection?: 'keys' | 'all';
}

/**
 * Write request units of putting one item: its size in KB rounded up, plus, for each index it
 * lands in (an index whose keys the item has), the size of what that index holds. The size is
 * approximated by the item's JSON.
 *
 * @example
 * itemWriteUnits({ pk: 'a', tool: 't' }, [{ partitionKey: 'tool' }, { partitionKey: 'day' }]); // 2
 */
export function itemWriteUnits(
  item: Readonly<Record<string, unknown>>,
  indexes: readonly IndexShape[],
): number {
  const units = (value: unknown) =>
    Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(value)) / 1024));
  const whole = units(item);
  const landed = indexes.filter(
    (index) =>
      item[index.partitionKey] !== undefined &&
      (index.sortKey === undefined || item[index.sortKey] !== undefined),
  );
  return whole + landed.reduce((sum, index) => sum + (index.projection === 'keys' ? 1 : whole), 0);
}
