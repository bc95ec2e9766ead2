import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { metricNames } from '../../layers/observability/metrics.ts';
import type { AnyWriteTool } from '../../layers/tools/define.ts';
import { sagaStateMachineName, sagaStateMachinePrefix } from '../../layers/writes/saga-names.ts';
import { gatewayMetric } from './gateway-metric.ts';
import { pascal } from './names.ts';
import { SagaDefinition } from './saga-definition.ts';

export interface WriteSagasProps {
  /** Each write tool with its saga step function (functions/manifest.ts, `saga-step`). */
  readonly steps: readonly { readonly tool: AnyWriteTool; readonly step: IFunction }[];
  readonly logRetention: RetentionDays;
  readonly alarmAction: IAlarmAction;
  /**
   * Where each write tool's state machine goes: its step function's nested stack
   * (infra/stacks/tool-stacks.ts), with its log group (Control Tower's CT.STEPFUNCTIONS.PR.1 wants
   * it in the same template). Its alarms stay here, under the names operators know and the logical
   * IDs they had.
   * @default this construct
   */
  readonly machineScope?: (tool: AnyWriteTool) => Construct;
}

/**
 * The log group of a saga: under `/aws/vendedlogs/states/`, because Step Functions delivers logs
 * through CloudWatch Logs' vended-log delivery, and a log group elsewhere adds a statement to the
 * account's one log resource policy (5,120 characters), which breaks deploys once a few stacks
 * share an account. The stack name keeps stages and developer copies apart. `-saga-` keeps it apart
 * from the name these log groups had in the API stack itself, which a deploy retains (with its
 * logs): a log group cannot be created under a name that still exists.
 */
export const sagaLogGroupName = (stackName: string, tool: string): string =>
  `/aws/vendedlogs/states/${stackName}-saga-${tool}`;

/**
 * Per write tool, the saga state machine that runs its steps with its own step function, and the
 * alarms of a write that needs a human (compensation failed, or an operation ended "failed").
 */
export class WriteSagas extends Construct {
  /** Write tool name → its saga state machine. */
  readonly stateMachines: ReadonlyMap<string, StateMachine>;
  /** What every saga state machine's name starts with (layers/writes/saga-names.ts). */
  readonly namePrefix: string;
  /**
   * SAGA_STATE_MACHINE_PREFIX: the state machines' ARN up to and including their name prefix, from
   * which the write worker finds each write tool's by name, so its settings stay the same size
   * whatever the number of write tools (Lambda allows 4 KB of them).
   */
  readonly arnPrefix: string;

  constructor(scope: Construct, id: string, props: WriteSagasProps) {
    super(scope, id);
    this.namePrefix = sagaStateMachinePrefix(Stack.of(this).stackName);
    this.arnPrefix = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.namePrefix,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const machines = new Map<string, StateMachine>();
    for (const { tool, step } of props.steps) {
      const name = pascal(tool.name);
      const home = props.machineScope?.(tool) ?? this;
      const saga = new SagaDefinition(home, `Saga${name}`, { tool, stepFunction: step });
      const machine = new StateMachine(home, `Saga${name}StateMachine`, {
        stateMachineName: sagaStateMachineName(this.namePrefix, tool.name),
        definitionBody: DefinitionBody.fromChainable(saga.chain),
        stateMachineType: StateMachineType.STANDARD,
        tracingEnabled: true,
        timeout: Duration.hours(2),
        logs: {
          destination: new LogGroup(home, `Saga${name}Logs`, {
            logGroupName: sagaLogGroupName(Stack.of(this).stackName, tool.name),
            retention: props.logRetention,
          }),
          level: LogLevel.ALL,
          includeExecutionData: false,
        },
      });
      Validations.of(machine).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) do not support resource-level permissions.',
        },
        {
          id: `AwsSolutions-IAM5[Resource::<${Stack.of(home).getLogicalId(step.node.defaultChild as CfnFunction)}.Arn>:*]`,
          reason:
            "CDK lets the state machine invoke its own step function and that function's versions and aliases (ARN:*), nothing else.",
        },
      );
      new Alarm(this, `Saga${name}FailedAlarm`, {
        alarmName: `${Stack.of(this).stackName}-saga-${tool.name}-failed`,
        alarmDescription: `A ${tool.name} write could not be rolled back: the operation is "failed" and needs a human`,
        metric: machine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(props.alarmAction);
      // Also when the execution succeeds: a step whose outcome stayed unknown ends it at "Rolled back".
      new Alarm(this, `Saga${name}OperationFailedAlarm`, {
        alarmName: `${Stack.of(this).stackName}-operation-${tool.name}-failed`,
        alarmDescription: `A ${tool.name} operation ended "failed" (a compensation kept failing, a step's outcome stayed unknown, or its end could not be recorded): it needs a human`,
        metric: gatewayMetric(metricNames.operationsFailed, { Tool: tool.name }, 'Sum'),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(props.alarmAction);
      machines.set(tool.name, machine);
    }
    this.stateMachines = machines;
  }
}
