import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmAbove } from './alarm-above.ts';

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
    /**
     * Names the alarms after what they watch: `<stack>-dlq-<name>-not-empty` and
     * `<stack>-queue-<name>-age`, e.g. `write`.
     */
    readonly name: string;
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
    const stackName = Stack.of(this).stackName;
    alarmAbove(this, 'DeadLettersAlarm', {
      name: `${stackName}-dlq-${dead.name}-not-empty`,
      description: dead.deadLetterDescription,
      metric: dead.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      action: dead.alarmAction,
    });
    const maxAge = dead.maxAge ?? Duration.minutes(15);
    alarmAbove(this, 'OldestMessageAlarm', {
      name: `${stackName}-queue-${dead.name}-age`,
      description: dead.oldestDescription(maxAge.toMinutes()),
      metric: props.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: maxAge.toSeconds(),
      action: dead.alarmAction,
    });
  }
}
