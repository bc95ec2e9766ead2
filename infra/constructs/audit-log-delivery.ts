import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { FilterPattern, type ILogGroup, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { AUDIT_FILTER_PATTERN } from '../../layers/audit/audit-log.ts';
import { controlTowerRule } from '../policy-checks.ts';
import { alarmAbove } from './alarm-above.ts';

export interface AuditLogDeliveryProps {
  /** The audit ingest (functions/audit/ingest): invoked asynchronously by CloudWatch Logs. */
  readonly ingest: IFunction;
  /** The log groups of the functions that write audit lines, by construct id (unique across stacks). */
  readonly sources: ReadonlyMap<string, ILogGroup>;
  readonly alarmAction: IAlarmAction;
  /**
   * Lambda's retries of a failed delivery before it goes to the on-failure queue.
   * @default 2 (Lambda's maximum)
   */
  readonly retryAttempts?: number;
}

/**
 * The audit lines' way from the functions' logs to the audit table: a subscription filter on
 * each auditing function's log group (only lines with `"audit": true`) to the ingest; a delivery
 * the ingest still fails after Lambda's retries goes to an on-failure queue, which raises an
 * alarm (the lines are still in the log group, for as long as it keeps them, to replay).
 *
 * @example
 * new AuditLogDelivery(this, 'AuditLogDelivery', { ingest, sources, alarmAction });
 */
export class AuditLogDelivery extends Construct {
  readonly failedDeliveries: Queue;

  constructor(scope: Construct, id: string, props: AuditLogDeliveryProps) {
    super(scope, id);
    this.failedDeliveries = new Queue(this, 'FailedDeliveries', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.failedDeliveries).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          "This is the audit ingest's on-failure destination: it holds the deliveries that could not be written, for an operator (an alarm fires).",
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This is itself where failures end; a dead-letter queue of its own would only hide them from the operator.',
      },
      {
        id: controlTowerRule('sqs_dlq_check'),
        reason:
          "This is the audit ingest's on-failure destination, where failed deliveries end: Lambda sends to it, no queue redrives into it, and a dead-letter queue of its own would only hide them from the operator.",
      },
    );
    props.ingest.configureAsyncInvoke({
      onFailure: new SqsDestination(this.failedDeliveries),
      retryAttempts: props.retryAttempts ?? 2,
    });
    alarmAbove(this, 'FailedDeliveriesAlarm', {
      name: `${Stack.of(this).stackName}-audit-ingest-failed`,
      description:
        'Audit lines could not be written to the audit table: their deliveries are in the on-failure queue (the lines are still in the log groups)',
      metric: this.failedDeliveries.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      action: props.alarmAction,
    });
    const destination = new LambdaDestination(props.ingest);
    // Beside the log group: a filter (and its invoke permission) in a nested stack of the tool
    // functions costs that stack a resource, not this one.
    for (const [sourceId, logGroup] of props.sources)
      new SubscriptionFilter(
        sameStack(logGroup, this) ? this : Stack.of(logGroup),
        `${sourceId}Subscription`,
        {
          logGroup,
          destination,
          filterPattern: FilterPattern.literal(AUDIT_FILTER_PATTERN),
          filterName: 'audit-lines',
        },
      );
  }
}

const sameStack = (a: IConstruct, b: IConstruct): boolean => Stack.of(a) === Stack.of(b);
