import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/**
 * An alarm as every alarm here is: named after what it watches (`<stack>-…`), raised when one
 * period goes above the threshold, quiet without data, sent to the alarm action.
 *
 * @example
 * alarmAbove(this, 'DeadLettersAlarm', { name: `${stackName}-dlq-write-not-empty`, description, metric, threshold: 0, action });
 */
export function alarmAbove(
  scope: Construct,
  id: string,
  props: {
    readonly name: string;
    readonly description: string;
    readonly metric: IMetric;
    readonly threshold: number;
    readonly action: IAlarmAction;
  },
): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmName: props.name,
    alarmDescription: props.description,
    metric: props.metric,
    threshold: props.threshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(props.action);
  return alarm;
}
