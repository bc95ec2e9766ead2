import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ErrorCategory } from '../errors/app-error.ts';

/** CloudWatch namespace of the gateway's own metrics; the CDK app alarms on them. */
export const METRICS_NAMESPACE = 'Toolgate';
/**
 * Powertools adds the service as a dimension of every metric (`service`), so a dashboard or an
 * alarm must name it too: every function of the CDK app runs as this service.
 */
export const METRICS_SERVICE = 'toolgate';

/**
 * The gateway's metrics and their dimensions, as the CDK app's dashboard and alarms read them
 * (each also carries `service`).
 */
export const metricNames = {
  /** Per tool (`Tool`): calls, their latency, errors by category (`Tool`, `Category`), cache. */
  toolCalls: 'ToolCalls',
  toolLatency: 'ToolLatency',
  toolErrors: 'ToolErrors',
  cacheHits: 'CacheHits',
  cacheMisses: 'CacheMisses',
  /** Per system (`System`): each upstream request, its latency, the failed ones. */
  systemCalls: 'SystemCalls',
  systemLatency: 'SystemLatency',
  systemErrors: 'SystemErrors',
  /** Per system and category (`System`, `Category`). */
  systemErrorsByCategory: 'SystemErrorsByCategory',
  circuitOpened: 'CircuitOpened',
  /** A call waited for the system's shared rate budget (`System`). */
  budgetWaits: 'BudgetWaits',
  /** A write ended `failed` (`Tool`). */
  operationsFailed: 'OperationsFailed',
} as const;

type Dimensions = Readonly<Record<string, string>>;
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];
type Value = readonly [name: string, unit: Unit, value: number];

/** Values of one metric a line may carry: CloudWatch's embedded metric format allows 100. */
const MAX_VALUES = 100;

const disabled = () =>
  process.env.POWERTOOLS_METRICS_DISABLED === 'true' || process.env.POWERTOOLS_DEV === 'true';

/**
 * Prints metrics sharing one set of dimensions as one embedded-metric-format line on stdout,
 * which CloudWatch turns into metrics. A value given as a list is one sample each (latencies); a
 * line is built when printed, so it reads the environment then: with
 * `POWERTOOLS_METRICS_DISABLED=true` (local mode, tests) or `POWERTOOLS_DEV=true` nothing is printed.
 */
function print(
  dimensions: Dimensions,
  values: Iterable<Value | readonly [string, Unit, number[]]>,
) {
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? METRICS_SERVICE,
  });
  for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
  for (const [name, unit, value] of values) {
    for (const sample of Array.isArray(value) ? value : [value])
      metrics.addMetric(name, unit, sample);
  }
  metrics.publishStoredMetrics();
}

interface Pending {
  dimensions: Dimensions;
  /** name → unit, and the sum (counts) or the samples (everything else). */
  metrics: Map<string, { unit: Unit; sum: number; samples: number[] }>;
}

/**
 * The metrics of every call, added up in memory and printed as one line per set of dimensions
 * when `flushAfterMs` has passed since the first value it holds, or when a latency has
 * `MAX_VALUES` samples: a busy instance prints one line per tool per interval, not one per call
 * (each line is CloudWatch Logs ingestion the deployment pays for). What an instance held when it
 * was recycled is lost: at most `flushAfterMs` of successful calls' counts; errors and events
 * (`CircuitOpened`, `BudgetWaits`, `OperationsFailed`) are printed at once.
 *
 * @example
 * const buffer = new MetricsBuffer({ flushAfterMs: 10_000 });
 * buffer.add({ Tool: 'get_customer' }, [['ToolCalls', 'Count', 1]]);
 * buffer.flush(); // tests, shutdown
 */
export class MetricsBuffer {
  readonly #now: () => number;
  readonly #flushAfterMs: number;
  #pending = new Map<string, Pending>();
  #firstAt: number | undefined;

  constructor(options: { now?: () => number; flushAfterMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#flushAfterMs = options.flushAfterMs ?? 10_000;
  }

  /** `urgent`: print this set of dimensions now (a value an alarm watches, e.g. an error). */
  add(dimensions: Dimensions, values: readonly Value[], options: { urgent?: boolean } = {}): void {
    if (disabled()) return;
    const key = JSON.stringify(dimensions);
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = { dimensions, metrics: new Map() };
      this.#pending.set(key, pending);
    }
    let full = false;
    for (const [name, unit, value] of values) {
      let metric = pending.metrics.get(name);
      if (!metric) {
        metric = { unit, sum: 0, samples: [] };
        pending.metrics.set(name, metric);
      }
      if (unit === MetricUnit.Count) metric.sum += value;
      else full = metric.samples.push(value) >= MAX_VALUES || full;
    }
    const now = this.#now();
    this.#firstAt ??= now;
    if (full || options.urgent) this.#print(key, pending);
    if (now - this.#firstAt >= this.#flushAfterMs) this.flush();
  }

  /** Prints everything held. */
  flush(): void {
    for (const [key, pending] of this.#pending) this.#print(key, pending);
    this.#firstAt = undefined;
  }

  #print(key: string, pending: Pending): void {
    this.#pending.delete(key);
    if (this.#pending.size === 0) this.#firstAt = undefined;
    print(
      pending.dimensions,
      [...pending.metrics].map(([name, metric]) =>
        metric.unit === MetricUnit.Count
          ? ([name, metric.unit, metric.sum] as const)
          : ([name, metric.unit, metric.samples] as const),
      ),
    );
  }
}

const buffered = new MetricsBuffer();

/** Prints the metrics this instance holds (tests; a function about to end). */
export const flushMetrics = (): void => buffered.flush();

/** Prints at once: errors and events, which alarms watch. */
function emit(dimensions: Dimensions, values: readonly Value[]): void {
  if (disabled()) return;
  print(dimensions, values);
}

/**
 * Records one tool call: `ToolCalls`, `ToolLatency`, `CacheHits`/`CacheMisses` for a cached tool
 * and, when it failed, `ToolErrors` by the error's category.
 *
 * @example
 * recordToolCall('get_customer', { durationMs: 42, cache: 'hit' });
 * recordToolCall('create_order', { durationMs: 7, errorCategory: 'validation' });
 */
export function recordToolCall(
  tool: string,
  call: {
    durationMs: number;
    errorCategory?: ErrorCategory | undefined;
    cache?: 'hit' | 'miss' | 'none' | undefined;
  },
): void {
  buffered.add(
    { Tool: tool },
    [
      [metricNames.toolCalls, MetricUnit.Count, 1],
      [metricNames.toolLatency, MetricUnit.Milliseconds, call.durationMs],
      ...(call.cache === 'hit' ? [[metricNames.cacheHits, MetricUnit.Count, 1] as const] : []),
      ...(call.cache === 'miss' ? [[metricNames.cacheMisses, MetricUnit.Count, 1] as const] : []),
    ],
    { urgent: call.errorCategory !== undefined },
  );
  if (call.errorCategory)
    emit({ Tool: tool, Category: call.errorCategory }, [
      [metricNames.toolErrors, MetricUnit.Count, 1],
    ]);
}

/**
 * Records one request to a business system: `SystemCalls`, `SystemLatency` and, when it failed,
 * `SystemErrors` and `SystemErrorsByCategory`.
 *
 * @example
 * recordSystemCall('erp', { durationMs: 120, errorCategory: 'upstream_unavailable' });
 */
export function recordSystemCall(
  systemId: string,
  call: { durationMs: number; errorCategory?: ErrorCategory | undefined },
): void {
  buffered.add(
    { System: systemId },
    [
      [metricNames.systemCalls, MetricUnit.Count, 1],
      [metricNames.systemLatency, MetricUnit.Milliseconds, call.durationMs],
      ...(call.errorCategory ? [[metricNames.systemErrors, MetricUnit.Count, 1] as const] : []),
    ],
    { urgent: call.errorCategory !== undefined },
  );
  if (call.errorCategory)
    emit({ System: systemId, Category: call.errorCategory }, [
      [metricNames.systemErrorsByCategory, MetricUnit.Count, 1],
    ]);
}

/**
 * Records that a system's circuit breaker opened: `CircuitOpened` (dimension `System`).
 *
 * @example
 * recordCircuitOpened('erp');
 */
export function recordCircuitOpened(systemId: string): void {
  emit({ System: systemId }, [[metricNames.circuitOpened, MetricUnit.Count, 1]]);
}

/**
 * Records that a call waited for a system's shared rate budget: `BudgetWaits` (dimension `System`).
 *
 * @example
 * recordBudgetWait('crm');
 */
export function recordBudgetWait(systemId: string): void {
  emit({ System: systemId }, [[metricNames.budgetWaits, MetricUnit.Count, 1]]);
}

/**
 * Records that a write operation ended `failed` (it needs a human): `OperationsFailed`
 * (dimension `Tool`).
 *
 * @example
 * recordOperationFailed('create_order');
 */
export function recordOperationFailed(tool: string): void {
  emit({ Tool: tool }, [[metricNames.operationsFailed, MetricUnit.Count, 1]]);
}
