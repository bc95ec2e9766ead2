import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../layers/observability/metrics.ts';
import type { AnyWriteTool } from '../../layers/tools/define.ts';
import type { WaitPolicy } from '../../layers/writes/wait-schedule.ts';
import { pascal } from './names.ts';
import { addQueueAlarms } from './queue-alarms.ts';
import { grantResilienceAccess } from './resilience-access.ts';
import { SagaDefinition } from './saga-definition.ts';

/** Builds one gateway function (see ApiStack): common environment, audit grant, logs. */
export type FunctionFactory = (
  id: string,
  entry: string,
  description: string,
  environment?: Record<string, string>,
  timeout?: Duration,
) => IFunction;

export interface WritePathProps {
  readonly writeTools: readonly AnyWriteTool[];
  readonly makeFunction: FunctionFactory;
  readonly confirmationsTable: Table;
  readonly operationsTable: Table;
  readonly idempotencyTable: Table;
  readonly resilienceTable: Table;
  readonly writeQueue: Queue;
  readonly writeDeadLetterQueue: Queue;
  readonly systemSecrets: ReadonlyMap<string, Secret>;
  /** The environment a function needs to call these systems (`systemEnvironment`). */
  readonly environmentFor: (systemIds: readonly string[], user: string) => Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly alarmAction: IAlarmAction;
  /**
   * How a write waits in the queue for its system (the worker's WRITE_WAIT_* settings); the
   * stateful stack derives the write queue's maxReceiveCount from the same stage setting.
   */
  readonly writeWait: WaitPolicy;
  /** @default 30 seconds (the write queue's visibility timeout is six times this) */
  readonly workerTimeout?: Duration;
  /** Age of the oldest queued write that raises an alarm. @default 15 minutes */
  readonly maxQueueAge?: Duration;
}

/**
 * The log group of a saga: under `/aws/vendedlogs/states/`, because Step Functions delivers logs
 * through CloudWatch Logs' vended-log delivery, and a log group elsewhere adds a statement to the
 * account's one log resource policy (5,120 characters), which breaks deploys once a few stacks
 * share an account. The stack name keeps stages and developer copies apart.
 */
export const sagaLogGroupName = (stackName: string, tool: string): string =>
  `/aws/vendedlogs/states/${stackName}-${tool}`;

/** Grants exactly the listed DynamoDB actions on a table (no indexes, no streams). */
export function grantTable(grantee: IFunction, table: Table, ...actions: string[]): void {
  Grant.addToPrincipal({
    grantee,
    actions: actions.map((action) => `dynamodb:${action}`),
    resourceArns: [table.tableArn],
  });
}

/**
 * The write path: confirmation and operation functions, the write queue's worker, and per write
 * tool a saga state machine with its own step function, which may read only that tool's systems'
 * secrets. Alarms: dead letters, old queued writes, failed sagas (compensation failed).
 */
export class WritePath extends Construct {
  readonly decideFunction: IFunction;
  readonly operationsFunction: IFunction;
  readonly stateMachines: ReadonlyMap<string, StateMachine>;

  constructor(scope: Construct, id: string, props: WritePathProps) {
    super(scope, id);
    const grantSecrets = (fn: IFunction, systems: readonly string[]) => {
      for (const systemId of systems) props.systemSecrets.get(systemId)?.grantRead(fn);
    };

    this.decideFunction = props.makeFunction(
      'Confirmations',
      'functions/confirmations/decide/handler.ts',
      'POST and DELETE /confirmations/{id}',
      {
        CONFIRMATIONS_TABLE_NAME: props.confirmationsTable.tableName,
        OPERATIONS_TABLE_NAME: props.operationsTable.tableName,
        WRITE_QUEUE_URL: props.writeQueue.queueUrl,
      },
    );
    grantTable(this.decideFunction, props.confirmationsTable, 'GetItem', 'UpdateItem');
    grantTable(this.decideFunction, props.operationsTable, 'GetItem', 'PutItem');
    props.writeQueue.grantSendMessages(this.decideFunction);

    this.operationsFunction = props.makeFunction(
      'Operations',
      'functions/operations/get/handler.ts',
      'GET /operations/{id}',
      {
        OPERATIONS_TABLE_NAME: props.operationsTable.tableName,
      },
    );
    grantTable(this.operationsFunction, props.operationsTable, 'GetItem');

    const machines = new Map<string, StateMachine>();
    for (const tool of props.writeTools) {
      const name = pascal(tool.name);
      const step = props.makeFunction(
        `Saga${name}Step`,
        'functions/writes/step/handler.ts',
        `Saga steps of ${tool.name}`,
        {
          TOOL_NAME: tool.name,
          OPERATIONS_TABLE_NAME: props.operationsTable.tableName,
          IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
          RESILIENCE_TABLE_NAME: props.resilienceTable.tableName,
          ...props.environmentFor(tool.systems, `The saga of ${tool.name}`),
        },
        Duration.seconds(30),
      );
      grantSecrets(step, tool.systems);
      grantTable(step, props.operationsTable, 'GetItem', 'UpdateItem');
      grantTable(step, props.idempotencyTable, 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem');
      grantResilienceAccess(step, props.resilienceTable, { systems: tool.systems });
      const saga = new SagaDefinition(this, `Saga${name}`, { tool, stepFunction: step });
      const machine = new StateMachine(this, `Saga${name}StateMachine`, {
        definitionBody: DefinitionBody.fromChainable(saga.chain),
        stateMachineType: StateMachineType.STANDARD,
        tracingEnabled: true,
        timeout: Duration.hours(2),
        logs: {
          destination: new LogGroup(this, `Saga${name}Logs`, {
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
          id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(step.node.defaultChild as CfnFunction)}.Arn>:*]`,
          reason:
            "CDK lets the state machine invoke its own step function and that function's versions and aliases (ARN:*), nothing else.",
        },
      );
      new Alarm(this, `Saga${name}FailedAlarm`, {
        alarmDescription: `A ${tool.name} write could not be rolled back: the operation is "failed" and needs a human`,
        metric: machine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(props.alarmAction);
      // Also when the execution succeeds: a step whose outcome stayed unknown ends it at "Rolled back".
      new Alarm(this, `Saga${name}OperationFailedAlarm`, {
        alarmDescription: `A ${tool.name} operation ended "failed" (a compensation kept failing, a step's outcome stayed unknown, or its end could not be recorded): it needs a human`,
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'OperationsFailed',
          dimensionsMap: { Tool: tool.name },
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(props.alarmAction);
      machines.set(tool.name, machine);
    }
    this.stateMachines = machines;

    const readinessSystems = [
      ...new Set(props.writeTools.filter((tool) => tool.readiness).flatMap((tool) => tool.systems)),
    ];
    const worker = props.makeFunction(
      'WriteWorker',
      'functions/writes/worker/handler.ts',
      'Starts the saga of each confirmed write from the write queue',
      {
        RESILIENCE_TABLE_NAME: props.resilienceTable.tableName,
        OPERATIONS_TABLE_NAME: props.operationsTable.tableName,
        WRITE_QUEUE_URL: props.writeQueue.queueUrl,
        WRITE_WAIT_WINDOW_SECONDS: String(props.writeWait.windowSeconds),
        WRITE_WAIT_FIRST_DELAY_SECONDS: String(props.writeWait.firstDelaySeconds),
        SAGA_STATE_MACHINES: JSON.stringify(
          Object.fromEntries(
            [...machines].map(([tool, machine]) => [tool, machine.stateMachineArn]),
          ),
        ),
        ...props.environmentFor(readinessSystems, 'The write worker'),
      },
      props.workerTimeout ?? Duration.seconds(30),
    );
    for (const machine of machines.values()) machine.grantStartExecution(worker);
    grantResilienceAccess(worker, props.resilienceTable, { systems: readinessSystems });
    // UpdateItem: a write whose system stayed down for the whole window ends rolled back.
    grantTable(worker, props.operationsTable, 'UpdateItem');
    grantSecrets(worker, readinessSystems);
    worker.addEventSource(
      new SqsEventSource(props.writeQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    Validations.of(worker).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'Waiting writes return to the write queue after growing pauses and are given up by the worker after their window; messages the worker cannot handle go to its dead-letter queue after maxReceiveCount (alarmed); an on-failure destination would duplicate that.',
    });

    addQueueAlarms(this, {
      queue: props.writeQueue,
      deadLetterQueue: props.writeDeadLetterQueue,
      alarmAction: props.alarmAction,
      ids: { deadLetters: 'DeadLettersAlarm', oldest: 'OldestWriteAlarm' },
      descriptions: {
        deadLetters: 'Confirmed writes reached the dead-letter queue: they were not started',
        oldest: (minutes) =>
          `A confirmed write has waited in the queue for over ${minutes} minutes`,
      },
      ...(props.maxQueueAge ? { maxAge: props.maxQueueAge } : {}),
    });
  }
}
