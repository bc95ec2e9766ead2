import { Duration, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueWorkerProps {
  readonly queue: Queue;
  readonly worker: IFunction;
  readonly batchSize: number;
  /** The worker answers with the records that failed (SQS partial batch failures). */
  readonly partialFailures: boolean;
  /** Why the event source has no on-failure destination (cdk-nag Serverless-LambdaEventSourceMappingDestination). */
  readonly noDestinationReason: string;
  /**
   * Where messages go after maxReceiveCount, and the alarms on it: any dead letter, and a message
   * older than `maxAge`. A best-effort queue has none.
   */
  readonly deadLetters?: {
    readonly queue: Queue;
    readonly alarmAction: IAlarmAction;
    /** What the messages are, e.g. `Confirmed writes`, and what a dead letter means. */
    readonly deadLetterDescription: string;
    readonly oldestDescription: (minutes: number) => string;
    /** @default 15 minutes */
    readonly maxAge?: Duration;
  };
}

/**
 * A queue and the function that works it, the way every worker queue here is wired (as AWS
 * Solutions Constructs' aws-sqs-lambda does): the SQS event source, partial batch failures, and
 * for a queue with a dead-letter queue the two alarms it needs (a dead letter; an old message,
 * meaning the worker is not keeping up or keeps failing).
 *
 * @example
 * new QueueWorker(this, 'Events', { queue, worker, batchSize: 10, partialFailures: true, noDestinationReason, deadLetters });
 */
export class QueueWorker extends Construct {
  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    props.worker.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: props.batchSize,
        reportBatchItemFailures: props.partialFailures,
      }),
    );
    Validations.of(props.worker).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: props.noDestinationReason,
    });
    const dead = props.deadLetters;
    if (!dead) return;
    const alarm = (
      alarmId: string,
      description: string,
      metric: ReturnType<Queue['metricApproximateNumberOfMessagesVisible']>,
      threshold: number,
    ) =>
      new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(dead.alarmAction);
    alarm(
      'DeadLettersAlarm',
      dead.deadLetterDescription,
      dead.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      0,
    );
    const maxAge = dead.maxAge ?? Duration.minutes(15);
    alarm(
      'OldestMessageAlarm',
      dead.oldestDescription(maxAge.toMinutes()),
      props.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      maxAge.toSeconds(),
    );
  }
}
