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

/**
 * Emits metrics sharing one set of dimensions as one embedded-metric-format line on stdout, which
 * CloudWatch turns into metrics. A new emitter each time reads the environment then: with
 * `POWERTOOLS_METRICS_DISABLED=true` (local mode, tests) or `POWERTOOLS_DEV=true` nothing is
 * printed.
 */
function emit(dimensions: Dimensions, values: readonly Value[]): void {
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? METRICS_SERVICE,
  });
  for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
  for (const [name, unit, value] of values) metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
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
  emit({ Tool: tool }, [
    [metricNames.toolCalls, MetricUnit.Count, 1],
    [metricNames.toolLatency, MetricUnit.Milliseconds, call.durationMs],
    ...(call.cache === 'hit' ? [[metricNames.cacheHits, MetricUnit.Count, 1] as const] : []),
    ...(call.cache === 'miss' ? [[metricNames.cacheMisses, MetricUnit.Count, 1] as const] : []),
  ]);
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
  emit({ System: systemId }, [
    [metricNames.systemCalls, MetricUnit.Count, 1],
    [metricNames.systemLatency, MetricUnit.Milliseconds, call.durationMs],
    ...(call.errorCategory ? [[metricNames.systemErrors, MetricUnit.Count, 1] as const] : []),
  ]);
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
