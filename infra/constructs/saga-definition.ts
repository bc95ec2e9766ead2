import { Duration, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Chain,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  type State,
  StateGraph,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AnyWriteTool } from '../../layers/tools/define.ts';
import {
  OUTCOME_UNKNOWN_ERRORS,
  SAGA_ERRORS,
  STEP_ERRORS,
} from '../../layers/writes/step-errors.ts';

export interface SagaDefinitionProps {
  readonly tool: AnyWriteTool;
  /** The saga step function (`functions/writes/step`), invoked by every task state. */
  readonly stepFunction: IFunction;
  /**
   * Attempts of a compensation before the operation is `failed` and needs a human.
   * @default 6
   */
  readonly compensationAttempts?: number;
}

/** State names a test or local mode may refer to. */
export const sagaStateNames = {
  run: (step: string) => `Run ${step}`,
  undo: (step: string) => `Undo ${step}`,
  finishSucceeded: 'Record succeeded',
  finishRolledBack: 'Record rolled back',
  finishFailed: 'Record failed',
  finishingFailed: 'Record finishing failed',
} as const;

/**
 * The Step Functions definition of one write tool's saga, generated from its declared steps:
 * each step retries transient errors (1 s, 2 s, 4 s, full jitter) and, when it finally fails,
 * the completed steps are compensated in reverse order; a compensation retries up to a bound,
 * after which the operation is recorded `failed` and the execution fails (alarmed).
 *
 * A step whose outcome is unknown (it timed out, or its function did) is retried on the same
 * schedule with the same idempotency key, and when it finally fails the compensation starts with
 * the step itself. A task that records how the saga ended is caught when it keeps failing: the
 * operation is recorded `failed` and the execution fails.
 *
 * Local mode builds the same definition, with the same code, and runs it with
 * aws-local-stepfunctions.
 */
export class SagaDefinition extends Construct {
  readonly startState: State;
  readonly chain: IChainable;

  constructor(scope: Construct, id: string, props: SagaDefinitionProps) {
    super(scope, id);
    const { tool, stepFunction } = props;
    const task = (name: string, payload: Record<string, unknown>) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: stepFunction,
        payload: TaskInput.fromObject({
          operationId: JsonPath.stringAt('$.operationId'),
          ...payload,
        }),
        payloadResponseOnly: true,
        resultPath: JsonPath.DISCARD,
      });
    const finishTask = (name: string, payload: Record<string, unknown>) =>
      task(name, payload).addRetry({
        errors: ['States.ALL'],
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 5,
      });

    const finishingFailed = new Fail(this, 'Finishing failed', {
      error: SAGA_ERRORS.finishingFailed,
      cause: 'The saga could not record how the write ended; the operation needs a human.',
    });
    const recordFinishingFailed = finishTask(sagaStateNames.finishingFailed, {
      action: 'finish',
      outcome: 'finish_failed',
      error: JsonPath.objectAt('$.finishError'),
    })
      .addCatch(finishingFailed, { resultPath: '$.finishError' })
      .next(finishingFailed);
    const finish = (name: string, payload: Record<string, unknown>) =>
      finishTask(name, payload).addCatch(recordFinishingFailed, { resultPath: '$.finishError' });

    // Built only for a saga with something to undo: an unreachable state is invalid.
    let failed: IChainable | undefined;
    const compensationFailed = (): IChainable => {
      failed ??= finish(sagaStateNames.finishFailed, {
        action: 'finish',
        outcome: 'failed',
        error: JsonPath.objectAt('$.error'),
      }).next(
        new Fail(this, 'Compensation failed', {
          error: SAGA_ERRORS.compensationFailed,
          cause: 'A compensation kept failing; the operation needs a human.',
        }),
      );
      return failed;
    };
    const rolledBack = finish(sagaStateNames.finishRolledBack, {
      action: 'finish',
      outcome: 'rolled_back',
      error: JsonPath.objectAt('$.error'),
    }).next(new Succeed(this, 'Rolled back'));

    // undoUpTo[i]: where to go to undo steps 0..i, the latest compensable one first. Every
    // compensable step has an undo state: a step whose outcome is unknown is undone too.
    const undoUpTo: IChainable[] = [];
    let tail: IChainable = rolledBack;
    tool.steps.forEach((step, index) => {
      if (step.compensate) {
        const undo = task(sagaStateNames.undo(step.name), {
          action: 'compensate',
          step: step.name,
        });
        undo.addRetry({
          errors: ['States.ALL'],
          interval: Duration.seconds(1),
          backoffRate: 2,
          maxAttempts: props.compensationAttempts ?? 6,
          jitterStrategy: JitterType.FULL,
        });
        undo.addCatch(compensationFailed(), { resultPath: '$.compensationError' });
        undo.next(tail);
        tail = undo;
      }
      undoUpTo[index] = tail;
    });

    const runs = tool.steps.map((step, index) => {
      const run = task(sagaStateNames.run(step.name), { action: 'run', step: step.name });
      for (const errors of [[STEP_ERRORS.transient], [...OUTCOME_UNKNOWN_ERRORS]]) {
        run.addRetry({
          errors,
          interval: Duration.seconds(1),
          backoffRate: 2,
          maxAttempts: 3,
          jitterStrategy: JitterType.FULL,
        });
      }
      // The step may have been applied: undo it with the completed ones.
      run.addCatch(undoUpTo[index] ?? rolledBack, {
        errors: [...OUTCOME_UNKNOWN_ERRORS],
        resultPath: '$.error',
      });
      run.addCatch(index === 0 ? rolledBack : (undoUpTo[index - 1] ?? rolledBack), {
        resultPath: '$.error',
      });
      return run;
    });
    const succeeded = finish(sagaStateNames.finishSucceeded, {
      action: 'finish',
      outcome: 'succeeded',
    });
    const [first, ...rest] = runs;
    if (!first) throw new Error(`Write tool ${tool.name} declares no steps`);
    let chain = Chain.start(first);
    for (const run of rest) chain = chain.next(run);
    this.chain = chain.next(succeeded).next(new Succeed(this, 'Done'));
    this.startState = first;
  }

  /** The Amazon States Language document, with resources as they resolve in this stack. */
  toAsl(): Record<string, unknown> {
    const graph = new StateGraph(this.startState, `Saga of ${this.node.id}`).toGraphJson();
    return Stack.of(this).resolve(graph) as Record<string, unknown>;
  }
}
