import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** CloudWatch namespace of the gateway's own metrics; the CDK app alarms on them. */
export const METRICS_NAMESPACE = 'Toolgate';

const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'toolgate',
});

/**
 * Records that a system's circuit breaker opened, as an embedded-metric-format log line that
 * CloudWatch turns into the metric `Toolgate/CircuitOpened` (dimension `System`).
 *
 * @example
 * recordCircuitOpened('erp');
 */
export function recordCircuitOpened(systemId: string): void {
  const single = metrics.singleMetric();
  single.addDimension('System', systemId);
  single.addMetric('CircuitOpened', MetricUnit.Count, 1);
}

/**
 * Records that a write operation ended `failed` (it needs a human), as the metric
 * `Toolgate/OperationsFailed` (dimension `Tool`).
 *
 * @example
 * recordOperationFailed('create_order');
 */
export function recordOperationFailed(tool: string): void {
  const single = metrics.singleMetric();
  single.addDimension('Tool', tool);
  single.addMetric('OperationsFailed', MetricUnit.Count, 1);
}
