import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface QueueAlarmsProps {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly alarmAction: IAlarmAction;
  /** Construct ids of the two alarms, e.g. `DeadLettersAlarm`, `OldestWriteAlarm`. */
  readonly ids: { readonly deadLetters: string; readonly oldest: string };
  /** What the messages are, in the alarm descriptions, e.g. `Confirmed writes`. */
  readonly descriptions: {
    readonly deadLetters: string;
    readonly oldest: (minutes: number) => string;
  };
  /** Oldest message before the alarm fires. @default 15 minutes */
  readonly maxAge?: Duration;
}

/**
 * The two alarms every worker queue needs: any message in its dead-letter queue, and a message
 * older than `maxAge` (the worker is not keeping up or keeps failing).
 *
 * @example
 * addQueueAlarms(this, { queue, deadLetterQueue, alarmAction, ids, descriptions });
 */
export function addQueueAlarms(scope: Construct, props: QueueAlarmsProps): void {
  const alarm = (
    id: string,
    description: string,
    metric: ReturnType<Queue['metricApproximateNumberOfMessagesVisible']>,
    threshold: number,
  ) =>
    new Alarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(props.alarmAction);
  alarm(
    props.ids.deadLetters,
    props.descriptions.deadLetters,
    props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    0,
  );
  const maxAge = props.maxAge ?? Duration.minutes(15);
  alarm(
    props.ids.oldest,
    props.descriptions.oldest(maxAge.toMinutes()),
    props.queue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    maxAge.toSeconds(),
  );
}
