import type { Notifier } from '#layers/notifications/notifier.ts';
import type { ToolLogger } from '#layers/observability/tool-logger.ts';
import { type AnyWriteTool, isWriteTool, type StepContext } from '#layers/tools/define.ts';
import type { ToolRegistry } from '#layers/tools/tool-registry.ts';
import type { ToolRunner } from '#layers/tools/tool-runner.ts';
import type { Operation, OperationStore } from '#layers/writes/operation-store.ts';
import {
  parseStepCause,
  STEP_ERRORS,
  StepFailure,
  toStepFailure,
} from '#layers/writes/step-errors.ts';

/** What each task state of a saga sends the step function. */
export type SagaStepEvent =
  | { operationId: string; action: 'run' | 'compensate'; step: string }
  | {
      operationId: string;
      action: 'finish';
      /** `finish_failed`: recording one of the others failed (the saga's catch-all). */
      outcome: 'succeeded' | 'rolled_back' | 'failed' | 'finish_failed';
      error?: { Error?: string; Cause?: string };
    };

export interface SagaStepDeps {
  registry: ToolRegistry;
  runner: ToolRunner;
  operations: OperationStore;
  logger: ToolLogger;
  /** Counts an operation that ended `failed` (the metric the CDK app alarms on). */
  recordFailed: (tool: string) => void;
  /** Tells people that an operation failed and needs them. @default nobody is told */
  notifier?: Notifier;
}

/** A try ended without saying what it did: it timed out, or its function crashed meanwhile. */
const unresolved = (status: string) => status === 'outcome_unknown' || status === 'running';

const completedResults = (operation: Operation) =>
  Object.fromEntries(
    operation.steps
      .filter((step) => step.result !== undefined)
      .map((step) => [step.name, step.result]),
  );

/**
 * One task of a write's saga: run a step, compensate it, or record how the saga ended. Every
 * failure leaves as a `StepFailure` whose name the state machine's Retry and Catch match.
 */
export function sagaStep(deps: SagaStepDeps) {
  const load = async (
    operationId: string,
  ): Promise<{ operation: Operation; tool: AnyWriteTool }> => {
    const operation = await deps.operations.get(operationId);
    const tool = operation ? deps.registry.get(operation.tool) : undefined;
    if (!operation || !tool || !isWriteTool(tool)) {
      throw new StepFailure(STEP_ERRORS.rejected, {
        code: 'operation_missing',
        message: `Operation ${operationId} or its tool is unknown.`,
      });
    }
    return { operation, tool };
  };

  return async (event: SagaStepEvent): Promise<{ ok: true }> => {
    const { operation, tool } = await load(event.operationId);
    if (event.action === 'finish') {
      await finish(deps, operation, tool, event);
      return { ok: true };
    }
    const step = tool.steps.find((candidate) => candidate.name === event.step);
    const record = operation.steps.find((candidate) => candidate.name === event.step);
    if (!step || !record)
      throw new StepFailure(STEP_ERRORS.rejected, {
        code: 'step_unknown',
        message: `Tool ${tool.name} has no step ${event.step}.`,
      });
    const ctx: StepContext = {
      ...deps.runner.contextFor([step.system], {
        requestId: `${operation.id}:${step.name}:${event.action}`,
        // The proposer's roles: a step re-checks what they allowed (e.g. send_email's sender).
        caller: { sub: operation.owner, roles: operation.ownerRoles ?? [] },
      }),
      operationId: operation.id,
      idempotencyKey: `${operation.id}:${step.name}`,
      results: completedResults(operation),
    };

    if (event.action === 'run') {
      if (record.status === 'succeeded') return { ok: true };
      const earlierUnknown = unresolved(record.status);
      if (earlierUnknown && !step.repeatable) {
        // Another try could apply the write twice: leave it to a person.
        await deps.operations.stepEnded(operation.id, step.name, 'outcome_unknown');
        throw unknownOutcome(step.name);
      }
      if (operation.status === 'queued') await deps.operations.markRunning(operation.id);
      await deps.operations.stepStarted(operation.id, step.name, 'running');
      try {
        const result = await step.run(ctx, operation.input);
        await deps.operations.stepEnded(operation.id, step.name, 'succeeded', result ?? null);
      } catch (error) {
        const failure = toStepFailure(error);
        deps.logger.warn('saga step failed', {
          operationId: operation.id,
          step: step.name,
          error: failure.name,
        });
        // After a try whose outcome is unknown, a later refusal does not prove nothing was done.
        if (earlierUnknown || failure.name === STEP_ERRORS.outcomeUnknown) {
          await deps.operations.stepEnded(operation.id, step.name, 'outcome_unknown');
          // A repeatable step is tried again with the same idempotency key; any other is not.
          throw step.repeatable
            ? new StepFailure(STEP_ERRORS.outcomeUnknown, failure.detail)
            : unknownOutcome(step.name);
        }
        await deps.operations.stepEnded(operation.id, step.name, 'failed');
        throw failure;
      }
      return { ok: true };
    }

    if (!step.compensate) return { ok: true };
    let result = record.result;
    if (unresolved(record.status)) {
      // Stays unknown (the operation ends failed) unless another try with the same key tells.
      if (!step.repeatable) return { ok: true };
      try {
        result = (await step.run(ctx, operation.input)) ?? null;
      } catch (error) {
        const failure = toStepFailure(error);
        if (failure.name === STEP_ERRORS.rejected) {
          deps.logger.error('outcome of a timed-out step could not be resolved', {
            operationId: operation.id,
            step: step.name,
          });
          return { ok: true };
        }
        throw failure;
      }
      await deps.operations.stepEnded(operation.id, step.name, 'succeeded', result);
    } else if (record.status !== 'succeeded' && record.status !== 'compensating') {
      return { ok: true };
    }
    await deps.operations.stepStarted(operation.id, step.name, 'compensating');
    try {
      await step.compensate(ctx, operation.input, result);
    } catch (error) {
      deps.logger.warn('saga compensation failed', { operationId: operation.id, step: step.name });
      throw toStepFailure(error);
    }
    await deps.operations.stepEnded(operation.id, step.name, 'compensated');
    return { ok: true };
  };
}

/** A step that may have been applied, and must not be tried again: a person checks it. */
const unknownOutcome = (step: string) =>
  new StepFailure(STEP_ERRORS.rejected, {
    code: 'outcome_unknown',
    message: `The outcome of step ${step} is unknown: the system did not answer in time, so it may or may not have applied it, and another try could apply it twice.`,
  });

async function finish(
  deps: SagaStepDeps,
  operation: Operation,
  tool: AnyWriteTool,
  event: Extract<SagaStepEvent, { action: 'finish' }>,
): Promise<void> {
  if (event.outcome === 'succeeded') {
    const result = tool.output.parse(tool.result(completedResults(operation), operation.input));
    await deps.operations.finish(operation.id, 'succeeded', { result });
    return;
  }
  let status: 'rolled_back' | 'failed' = event.outcome === 'rolled_back' ? 'rolled_back' : 'failed';
  let error = parseStepCause(event.error);
  const unknown = operation.steps.filter((step) => unresolved(step.status));
  if (event.outcome === 'finish_failed') {
    const steps = operation.steps.map((step) => `${step.name} ${step.status}`).join(', ');
    error = {
      code: 'finish_failed',
      message: `Recording how this write ended failed (${event.error?.Error ?? 'error'}); its steps ended: ${steps}. A person must check the systems before anything is retried.`,
    };
  } else if (unknown.length > 0) {
    // Rolled back as far as the saga knows; what the unknown steps did needs a person.
    status = 'failed';
    error = {
      code: 'outcome_unknown',
      message: `${unknown.map((step) => step.name).join(', ')} timed out and may or may not have been applied; the other steps were undone. A person must check the systems.`,
    };
  }
  if (status === 'failed') {
    for (const step of operation.steps.filter((candidate) => candidate.status === 'compensating')) {
      await deps.operations.stepEnded(operation.id, step.name, 'compensation_failed');
    }
    deps.logger.error('operation failed: needs a human', {
      operationId: operation.id,
      tool: tool.name,
      code: error.code,
    });
    deps.recordFailed(tool.name);
  }
  await deps.operations.finish(operation.id, status, { error });
  if (status === 'failed' && deps.notifier) {
    // After the operation says so; a notification that fails never changes the write.
    await deps.notifier
      .notify({
        kind: 'operation_failed',
        operationId: operation.id,
        tool: tool.name,
        owner: operation.owner,
        detail: error.message,
      })
      .catch((failure: unknown) =>
        deps.logger.warn('failure notification failed', {
          operationId: operation.id,
          error: (failure as Error).message,
        }),
      );
  }
}
