import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../layers/observability/metrics.ts';

/**
 * One of the gateway's own metrics (layers/observability/metrics.ts) as CloudWatch stores it: with
 * the `service` dimension Powertools adds to every metric, which a graph or an alarm must name.
 *
 * @example
 * gatewayMetric('CircuitOpened', { System: 'erp' }, 'Sum');
 */
export function gatewayMetric(
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
  statistic: string,
  period: Duration = Duration.minutes(5),
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE, ...dimensions },
    statistic,
    period,
  });
}
