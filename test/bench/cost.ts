import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_FUNCTION_MEMORY_MB } from '#infra/constructs/gateway-function.ts';
import { lambdaActiveTracingSampling } from '#infra/constructs/trace-sampling.ts';
import { auditIndexes, auditTable } from '#layers/audit/audit-table.ts';
import { logger } from '#layers/observability/logger.ts';
import { flushMetrics } from '#layers/observability/metrics.ts';
import { localTableNames } from '#local/emulators.ts';
import type { LocalMode } from '#local/start-local.ts';
import { type GatewayTiming, localTimings } from '#local/timings.ts';
import { localDynamo } from '#test/helpers/audit.ts';
import {
  type AuditSubscription,
  type CallUsage,
  COST_GOAL_PER_MILLION,
  costPerMillion,
  itemWriteUnits,
  LAMBDA_PLATFORM_LOG_BYTES,
  prices,
  requestUnits,
  tracedShare,
} from './cost-model.ts';
import { judge } from './goals.ts';
import { directCredentials } from './latency.ts';
import { percentile, round } from './stats.ts';

/** The two deployments of issue 14's cost goal, by their rate of calls. */
export const deployments = {
  /** About one call a minute per function: every call pays what a busy instance amortizes. */
  quiet: { callsPerSecond: 1 / 60 },
  /** 50 calls a second. */
  busy: { callsPerSecond: 50 },
} as const;

/**
 * The audit delivery by log subscription, where it replaces the PutItem per call: calls per
 * delivery (one when quiet; BatchWriteItem's 25 items when busy) and an invocation's billed time.
 * Assumed, not measured: that function is not part of the call.
 */
const subscriptionDelivery = {
  quiet: { callsPerBatch: 1, invocationMs: 40, memoryMb: 256 },
  busy: { callsPerBatch: 25, invocationMs: 60, memoryMb: 256 },
} as const;

const TOOL = { name: 'get_order_status', input: { orderId: 'SO-100001' } } as const;

interface Window {
  calls: number;
  counted: Record<string, number>;
  handlerMs: number[];
  gatewayMs: number[];
  dynamodbMsPerCall: number;
  endToEndMs: number[];
  logBytes: number;
  requestIds: string[];
}

/**
 * Runs `calls` calls of the ERP order read, each after `before()`, and takes what they used:
 * DynamoDB requests by operation (at the emulator), the handler's and the local stand-ins' times
 * (local/timings.ts), and the bytes written to stdout and stderr with the log level of AWS (INFO)
 * and metrics on (their embedded-metric lines are log lines too), which are kept from the terminal.
 */
async function measureWindow(
  local: LocalMode,
  token: string,
  calls: number,
  between: () => Promise<void>,
): Promise<Window> {
  const difference = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(after)
        .map(([operation, count]) => [operation, count - (before[operation] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
  let logBytes = 0;
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const capture = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    const done = rest.find((argument) => typeof argument === 'function') as
      | (() => void)
      | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  const metricsSetting = process.env.POWERTOOLS_METRICS_DISABLED;
  const level = logger.getLevelName();
  const endToEndMs: number[] = [];
  const requestIds: string[] = [];
  flushMetrics();
  const before = local.emulators.dynamodbOperations();
  const timings = { gateway: [] as GatewayTiming[], dynamodbMs: [] as number[] };
  logger.setLogLevel('INFO');
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    for (let index = 0; index < calls; index++) {
      await between();
      // Timed only while a call is under way: what runs between calls is not the call's.
      localTimings.enable();
      const started = performance.now();
      const response = await fetch(`${local.url}/tools/${TOOL.name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(TOOL.input),
      });
      await response.arrayBuffer();
      endToEndMs.push(performance.now() - started);
      const taken = localTimings.take();
      localTimings.disable();
      timings.gateway.push(...taken.gateway);
      timings.dynamodbMs.push(...taken.dynamodbMs);
      if (!response.ok) throw new Error(`${TOOL.name} answered ${response.status}`);
      requestIds.push(response.headers.get('x-request-id') ?? '');
    }
    flushMetrics();
  } finally {
    localTimings.disable();
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    if (metricsSetting === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = metricsSetting;
    logger.setLogLevel(level);
  }
  const counted = difference(local.emulators.dynamodbOperations(), before);
  return {
    calls,
    counted,
    handlerMs: timings.gateway.map((timing) => timing.handlerMs),
    gatewayMs: timings.gateway.map((timing) => timing.totalMs - timing.handlerMs),
    dynamodbMsPerCall: timings.dynamodbMs.reduce((sum, ms) => sum + ms, 0) / calls,
    endToEndMs,
    logBytes,
    requestIds,
  };
}

/**
 * The audit records of the last calls, found by request id once every line written so far is
 * delivered (the subscription path writes them a moment after the answer): how many calls got
 * one, and the write units of one of them with its indexes.
 */
async function auditRecords(local: LocalMode, requestIds: readonly string[]) {
  await local.auditDelivered();
  const dynamo = localDynamo(local);
  const client = DynamoDBDocumentClient.from(dynamo);
  const sample = requestIds.slice(-5);
  const found: Record<string, unknown>[] = [];
  try {
    for (const requestId of sample) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: localTableNames.audit,
          IndexName: auditTable.byRequestIndex.name,
          KeyConditionExpression: 'requestId = :id',
          ExpressionAttributeValues: { ':id': requestId },
        }),
      );
      if (Items?.[0]) found.push(Items[0]);
    }
  } finally {
    dynamo.destroy();
  }
  return {
    perCall: sample.length ? found.length / sample.length : 0,
    itemWriteUnits: found[0] ? itemWriteUnits(found[0], auditIndexes) : 0,
  };
}

type Deployment = keyof typeof deployments;

/** The usage of one call from a measured window, as the cost model takes it. */
function usageOf(
  window: Window,
  audit: { perCall: number; itemWriteUnits: number },
  deployment: Deployment,
  auditPath: 'put' | 'subscription',
  replacesPut = false,
): CallUsage {
  const units =
    auditPath === 'put'
      ? // The PutItem is counted once already; its indexes and any extra KB come on top.
        requestUnits(window.counted, window.calls, {
          auditIndexWrites: audit.perCall * Math.max(0, audit.itemWriteUnits - 1),
        })
      : // The subscription's BatchWriteItem is the audit term's, not the call's.
        requestUnits(window.counted, window.calls, { excludeWrites: ['BatchWriteItem'] });
  if (auditPath === 'subscription' && replacesPut) {
    // Forced while the PutItem is still there: as if the subscription had replaced it.
    units.writeUnits = Math.max(0, units.writeUnits - audit.perCall);
  }
  const auditSubscription: AuditSubscription | undefined =
    auditPath === 'subscription'
      ? { ...subscriptionDelivery[deployment], itemWriteUnits: audit.itemWriteUnits }
      : undefined;
  return {
    ...units,
    logBytes: window.logBytes / window.calls + LAMBDA_PLATFORM_LOG_BYTES,
    lambdaMs: percentile(window.handlerMs, 50),
    memoryMb: DEFAULT_FUNCTION_MEMORY_MB,
    traces: tracedShare(lambdaActiveTracingSampling, deployments[deployment].callsPerSecond),
    ...(auditSubscription ? { auditSubscription } : {}),
  };
}

/**
 * Issue 14's cost goal: dollars per million read calls on AWS for a quiet and a busy deployment,
 * from the DynamoDB requests counted at the emulator, the log bytes written and the handler's
 * measured p50; busy from `busyCalls` calls in a row, quiet from `quietCalls` calls each after
 * `quietSpacingMs` (past every per-instance cache: switches, breaker). Also what local mode's
 * stand-ins (API Gateway, DynamoDB emulator) took, which AWS does not bill this way.
 *
 * The audit path is detected: a PutItem per call with an audit record per call is the direct
 * write; otherwise the records come by log subscription. BENCH_AUDIT_PATH=put|subscription forces
 * it: `subscription` while the PutItem is still there shows the figures as if it were replaced.
 */
export async function measureCost(
  local: LocalMode,
  options: { busyCalls: number; quietCalls: number; quietSpacingMs: number },
) {
  const { token } = await directCredentials(local);
  // Warm: the first calls load the handler and fill the caches.
  await measureWindow(local, token, 30, async () => undefined);
  const windows = {
    busy: await measureWindow(local, token, options.busyCalls, async () => undefined),
    quiet: await measureWindow(local, token, options.quietCalls, async () => {
      // A minute apart, the previous call's metrics are printed on their own.
      flushMetrics();
      await new Promise((resolve) => setTimeout(resolve, options.quietSpacingMs));
    }),
  };
  const rows: Record<Deployment, Record<string, string | number>[]> = { busy: [], quiet: [] };
  const summary: Record<string, string | number>[] = [];
  const local_: Record<string, string | number>[] = [];
  for (const deployment of ['quiet', 'busy'] as const) {
    const window = windows[deployment];
    const audit = await auditRecords(local, window.requestIds);
    const putsPerCall = (window.counted.PutItem ?? 0) / window.calls;
    const forced = process.env.BENCH_AUDIT_PATH;
    const auditPath =
      forced === 'put' || forced === 'subscription'
        ? forced
        : putsPerCall >= audit.perCall && audit.perCall > 0
          ? 'put'
          : 'subscription';
    const usage = usageOf(
      window,
      audit,
      deployment,
      auditPath,
      forced === 'subscription' && putsPerCall >= audit.perCall && audit.perCall > 0,
    );
    const cost = costPerMillion(usage);
    rows[deployment] = [
      ...cost.terms.map((term) => ({
        term: term.term,
        '$ per million calls': round(term.perMillion, 3),
      })),
      { term: 'total', '$ per million calls': round(cost.total, 2) },
    ];
    summary.push({
      deployment,
      'calls/s': round(deployments[deployment].callsPerSecond, 3),
      'measured calls': window.calls,
      'DynamoDB per call': Object.entries(window.counted)
        .map(([operation, count]) => `${operation} ${round(count / window.calls, 2)}`)
        .join(', '),
      RRU: round(usage.readUnits, 2),
      WRU: round(usage.writeUnits, 2),
      'audit path': auditPath,
      'audit item WRU (1 + indexes)': audit.itemWriteUnits,
      'log bytes': Math.round(usage.logBytes),
      'handler p50 ms': round(usage.lambdaMs),
      'traced share': round(usage.traces, 3),
      [`total (goal <= $${COST_GOAL_PER_MILLION})`]: `$${judge(
        `cost on AWS, ${deployment} deployment: $ per million read calls`,
        cost.total,
        '<=',
        COST_GOAL_PER_MILLION,
      )}`,
    });
    if (deployment === 'busy' && usage.auditSubscription) {
      // The same calls with the audit table provisioned (-c auditWriteCapacity), as a busy
      // deployment's steady traffic would have it.
      const provisioned = costPerMillion({
        ...usage,
        auditSubscription: { ...usage.auditSubscription, provisioned: true },
      });
      summary.push({
        deployment: 'busy, -c auditWriteCapacity',
        'calls/s': round(deployments.busy.callsPerSecond, 3),
        'measured calls': window.calls,
        'audit path': `${auditPath}, provisioned at 70%`,
        [`total (goal <= $${COST_GOAL_PER_MILLION})`]: `$${judge(
          'cost on AWS, busy deployment, audit table provisioned: $ per million read calls',
          provisioned.total,
          '<=',
          COST_GOAL_PER_MILLION,
        )}`,
      });
    }
    const endToEnd = percentile(window.endToEndMs, 50);
    local_.push({
      deployment,
      'call p50 ms (end to end)': round(endToEnd),
      'local API Gateway p50 ms': round(percentile(window.gatewayMs, 50)),
      'handler p50 ms': round(percentile(window.handlerMs, 50)),
      'of which DynamoDB emulator ms per call': round(window.dynamodbMsPerCall),
      'emulator share of the handler': `${round((100 * window.dynamodbMsPerCall) / percentile(window.handlerMs, 50), 0)}%`,
      'local gateway share of the call': `${round((100 * percentile(window.gatewayMs, 50)) / endToEnd, 0)}%`,
    });
  }
  return {
    prices: `${prices.region} on-demand list prices of ${prices.date} (test/bench/cost-model.ts)`,
    summary,
    quiet: rows.quiet,
    busy: rows.busy,
    local: local_,
  };
}

/** Prints issue 14's cost goal for `npm run bench` (BENCH_COST_CALLS, BENCH_COST_QUIET_CALLS). */
export async function printCost(local: LocalMode) {
  // Past the longest any instance uses shared state without reading it again (the switches'
  // SWITCHES_MAX_STALE_MS; the breaker's 10 s), so every quiet call pays those reads as one a
  // minute apart would.
  const spacing =
    Math.max(Number(local.functionEnv.SWITCHES_MAX_STALE_MS ?? 15_000), 10_000) + 1000;
  const quietCalls = Number(process.env.BENCH_COST_QUIET_CALLS ?? 5);
  const cost = await measureCost(local, {
    busyCalls: Number(process.env.BENCH_COST_CALLS ?? 500),
    quietCalls,
    quietSpacingMs: spacing,
  });
  console.log(
    `Cost per million read calls on AWS (${TOOL.name}; ${cost.prices}); busy: calls in a row, quiet: ${quietCalls} calls ${spacing} ms apart:`,
  );
  console.table(cost.summary);
  console.log('Quiet deployment (about 1 call a minute per function), $ per million calls:');
  console.table(cost.quiet);
  console.log('Busy deployment (50 calls/s), $ per million calls:');
  console.table(cost.busy);
  console.log('Local only, not on AWS: the local API Gateway and the DynamoDB emulator:');
  console.table(cost.local);
}
