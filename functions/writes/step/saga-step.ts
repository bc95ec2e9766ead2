import {
  type AnyWriteTool,
  isWriteTool,
  type StepContext,
  type ToolLogger,
} from '#layers/tools/define.ts';
import type { ToolRegistry } from '#layers/tools/registry-types.ts';
import type { ToolRunner } from '#layers/tools/runtime.ts';
import type { Operation, OperationStore } from '#layers/writes/operation-store.ts';
import { parseStepCause, STEP_ERRORS, StepError, toStepError } from '#layers/writes/step-errors.ts';

/** What each task state of a saga sends the step function. */
export type SagaStepEvent =
  | { operationId: string; action: 'run' | 'compensate'; step: string }
  | {
      operationId: string;
      action: 'finish';
      outcome: 'succeeded' | 'rolled_back' | 'failed';
      error?: { Error?: string; Cause?: string };
    };

export interface SagaStepDeps {
  registry: ToolRegistry;
  runner: ToolRunner;
  operations: OperationStore;
  logger: ToolLogger;
}

const completedResults = (operation: Operation) =>
  Object.fromEntries(
    operation.steps
      .filter((step) => step.result !== undefined)
      .map((step) => [step.name, step.result]),
  );

/**
 * One task of a write's saga: run a step, compensate it, or record how the saga ended. Every
 * failure leaves as a `StepError` whose name the state machine's Retry and Catch match.
 */
export function sagaStep(deps: SagaStepDeps) {
  const load = async (
    operationId: string,
  ): Promise<{ operation: Operation; tool: AnyWriteTool }> => {
    const operation = await deps.operations.get(operationId);
    const tool = operation ? deps.registry.get(operation.tool) : undefined;
    if (!operation || !tool || !isWriteTool(tool)) {
      throw new StepError(
        STEP_ERRORS.rejected,
        'operation_missing',
        `Operation ${operationId} or its tool is unknown.`,
      );
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
      throw new StepError(
        STEP_ERRORS.rejected,
        'step_unknown',
        `Tool ${tool.name} has no step ${event.step}.`,
      );
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
      if (operation.status === 'queued') await deps.operations.markRunning(operation.id);
      await deps.operations.stepStarted(operation.id, step.name, 'running');
      try {
        const result = await step.run(ctx, operation.input);
        await deps.operations.stepEnded(operation.id, step.name, 'succeeded', result ?? null);
      } catch (error) {
        const stepError = toStepError(error);
        deps.logger.warn('saga step failed', {
          operationId: operation.id,
          step: step.name,
          error: stepError.name,
        });
        if (stepError.name === STEP_ERRORS.rejected)
          await deps.operations.stepEnded(operation.id, step.name, 'failed');
        throw stepError;
      }
      return { ok: true };
    }

    if (record.status !== 'succeeded' && record.status !== 'compensating') return { ok: true };
    if (!step.compensate) return { ok: true };
    await deps.operations.stepStarted(operation.id, step.name, 'compensating');
    try {
      await step.compensate(ctx, operation.input, record.result);
    } catch (error) {
      deps.logger.warn('saga compensation failed', { operationId: operation.id, step: step.name });
      throw toStepError(error);
    }
    await deps.operations.stepEnded(operation.id, step.name, 'compensated');
    return { ok: true };
  };
}

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
  const error = parseStepCause(event.error);
  if (event.outcome === 'failed') {
    for (const step of operation.steps.filter((candidate) => candidate.status === 'compensating')) {
      await deps.operations.stepEnded(operation.id, step.name, 'compensation_failed');
    }
    deps.logger.error('operation failed and could not be rolled back: needs a human', {
      operationId: operation.id,
      tool: tool.name,
    });
  }
  await deps.operations.finish(operation.id, event.outcome, { error });
}
