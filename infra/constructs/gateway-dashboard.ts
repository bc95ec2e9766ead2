import { Duration, Stack } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { metricNames } from '../../layers/observability/metrics.ts';
import { alarmAbove } from './alarm-above.ts';
import { gatewayMetric } from './gateway-metric.ts';
import { pascal } from './names.ts';

export interface GatewayDashboardProps {
  /** The business systems, one row of graphs and one `failing` alarm each. */
  readonly systems: readonly { readonly id: string; readonly displayName: string }[];
  /** The write tools, whose `failed` operations are graphed. */
  readonly writeTools: readonly string[];
  /** Worker queues (`write`, `events`): the age of their oldest message. */
  readonly queues: Readonly<Record<string, IQueue>>;
  /** Dead-letter queues by what they hold (`write`, `events`, `audit-archive`): their depth. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The long-term audit archive's dead-letter queue and delivery stream, alarmed here. */
  readonly auditArchive: { readonly deadLetterQueue: IQueue; readonly deliveryStreamName: string };
  readonly alarmAction: IAlarmAction;
  /**
   * Share of a system's requests that failed over 5 minutes that raises `<stack>-system-<id>-failing`.
   * @default 0.25
   */
  readonly systemFailureRate?: number;
  /**
   * Requests in 5 minutes below which a system's failure rate is not judged.
   * @default 5
   */
  readonly systemMinimumCalls?: number;
}

/**
 * The operators' CloudWatch dashboard, mirroring the console's Systems page (per system: calls,
 * errors, p50/p95 latency, breaker openings, rate-budget waits), with the queues' age and dead
 * letters and the writes that ended `failed`; and the alarms named after what they watch that
 * no other construct raises: a system failing, the audit archive's dead letters and delays.
 *
 * @example
 * new GatewayDashboard(this, 'Dashboard', { systems, writeTools, queues, deadLetterQueues, auditArchive, alarmAction });
 */
export class GatewayDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: GatewayDashboardProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const period = Duration.minutes(5);
    const sum = (name: string, dimensions: Record<string, string>, label: string) =>
      gatewayMetric(name, dimensions, 'Sum', period).with({ label });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Toolgate ${stackName}\nPer system: requests, failures, latency, breaker openings and rate-budget waits (what the console's Systems page shows); then the queues and the writes that need a human.`,
        width: 24,
        height: 2,
      }),
    );
    for (const system of props.systems) {
      const dims = { System: system.id };
      const calls = sum(metricNames.systemCalls, dims, 'requests');
      const errors = sum(metricNames.systemErrors, dims, 'failed');
      const latency = (statistic: string) =>
        gatewayMetric(metricNames.systemLatency, dims, statistic, period).with({
          label: statistic,
        });
      this.dashboard.addWidgets(
        graph(`${system.displayName}: requests and failures`, [calls, errors]),
        graph(`${system.displayName}: latency (ms)`, [latency('p50'), latency('p95')]),
        graph(`${system.displayName}: breaker openings, budget waits`, [
          sum(metricNames.circuitOpened, dims, 'breaker opened'),
          sum(metricNames.budgetWaits, dims, 'waited for budget'),
        ]),
      );
      const threshold = props.systemFailureRate ?? 0.25;
      const minimum = props.systemMinimumCalls ?? 5;
      alarmAbove(this, `${pascal(system.id)}FailingAlarm`, {
        name: `${stackName}-system-${system.id}-failing`,
        description: `More than ${threshold * 100}% of the requests to ${system.displayName} failed over 5 minutes (at least ${minimum} requests)`,
        metric: new MathExpression({
          expression: `IF(calls >= ${minimum}, errors / calls, 0)`,
          usingMetrics: { calls, errors },
          period,
          label: `${system.displayName} failure rate`,
        }),
        threshold,
        action: props.alarmAction,
      });
    }

    this.dashboard.addWidgets(
      graph(
        'Queues: age of the oldest message (s)',
        Object.entries(props.queues).map(([name, queue]) =>
          queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: name }),
        ),
      ),
      graph(
        'Dead-letter queues: messages',
        Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: 'Maximum',
            label: name,
          }),
        ),
      ),
      graph(
        'Writes ended "failed" (need a human)',
        props.writeTools.map((tool) => sum(metricNames.operationsFailed, { Tool: tool }, tool)),
      ),
    );

    alarmAbove(this, 'AuditArchiveDeadLettersAlarm', {
      name: `${stackName}-dlq-audit-archive-not-empty`,
      description:
        'Audit records did not reach the long-term archive: each message names a stream batch to re-deliver within 24 hours (README, Long-term audit)',
      metric: props.auditArchive.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      action: props.alarmAction,
    });
    alarmAbove(this, 'AuditArchiveDelayedAlarm', {
      name: `${stackName}-audit-archive-delayed`,
      description:
        'The oldest audit record waiting in Firehose is more than 30 minutes old: the archive is not being written',
      metric: new Metric({
        namespace: 'AWS/Firehose',
        metricName: 'DeliveryToS3.DataFreshness',
        dimensionsMap: { DeliveryStreamName: props.auditArchive.deliveryStreamName },
        statistic: 'Maximum',
        period,
      }),
      threshold: Duration.minutes(30).toSeconds(),
      action: props.alarmAction,
    });
  }
}

const graph = (title: string, left: IMetric[]) =>
  new GraphWidget({ title, left, width: 8, height: 6 });
