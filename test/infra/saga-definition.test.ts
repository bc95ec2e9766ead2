import { describe, expect, it } from 'vitest';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import { OUTCOME_UNKNOWN_ERRORS, SAGA_ERRORS, STEP_ERRORS } from '#layers/writes/step-errors.ts';
import { localSagaDefinitions } from '#local/sagas.ts';

type State = {
  Type: string;
  Error?: string;
  Next?: string;
  Retry?: {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    BackoffRate?: number;
    MaxAttempts?: number;
    JitterStrategy?: string;
  }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Parameters?: Record<string, unknown>;
};

type Definition = { StartAt: string; States: Record<string, State> };
const sagas = () =>
  localSagaDefinitions(tools.filter(isWriteTool)).map((saga) => ({
    tool: saga.tool,
    ...(saga.definition as Definition),
  }));
const createOrder = (): Definition => {
  const saga = sagas().find((candidate) => candidate.tool === 'create_order');
  if (!saga) throw new Error('create_order saga missing');
  return saga;
};
const pathFrom = ({ States }: Definition, from: string | undefined) => {
  const path: string[] = [];
  for (let name = from; name; name = States[name]?.Next) path.push(name);
  return path;
};
const catchAll = (state: State | undefined) =>
  state?.Catch?.find((candidate) => candidate.ErrorEquals.includes('States.ALL'));

describe('SagaDefinition', () => {
  it('runs the declared steps in order and records success', () => {
    const { StartAt, States } = createOrder();
    const path: string[] = [];
    for (let name: string | undefined = StartAt; name; name = States[name]?.Next) path.push(name);
    expect(path).toEqual([
      'Run reserve_stock',
      'Run create_order',
      'Run log_activity',
      'Record succeeded',
      'Done',
    ]);
  });

  it('retries each step on transient errors only: 1 s, 2 s, 4 s with full jitter', () => {
    const { States } = createOrder();
    for (const step of ['reserve_stock', 'create_order', 'log_activity']) {
      const retry = States[`Run ${step}`]?.Retry?.find((candidate) =>
        candidate.ErrorEquals.includes(STEP_ERRORS.transient),
      );
      expect(retry).toEqual({
        ErrorEquals: [STEP_ERRORS.transient],
        IntervalSeconds: 1,
        BackoffRate: 2,
        MaxAttempts: 3,
        JitterStrategy: 'FULL',
      });
      expect(
        States[`Run ${step}`]?.Retry?.some((candidate) =>
          candidate.ErrorEquals.includes('States.ALL'),
        ),
      ).toBe(false);
    }
  });

  it('compensates the completed steps in reverse order when a step finally fails', () => {
    const { States } = createOrder();
    const undoPath = (from: string) => {
      const path: string[] = [];
      for (let name: string | undefined = from; name; name = States[name]?.Next) path.push(name);
      return path;
    };
    expect(catchAll(States['Run reserve_stock'])?.Next).toBe('Record rolled back');
    expect(undoPath(catchAll(States['Run create_order'])?.Next ?? '')).toEqual([
      'Undo reserve_stock',
      'Record rolled back',
      'Rolled back',
    ]);
    expect(undoPath(catchAll(States['Run log_activity'])?.Next ?? '')).toEqual([
      'Undo create_order',
      'Undo reserve_stock',
      'Record rolled back',
      'Rolled back',
    ]);
  });

  it('marks the operation failed and fails the execution when a compensation keeps failing', () => {
    const { States } = createOrder();
    const undo = States['Undo create_order'];
    expect(
      undo?.Retry?.find((retry) => retry.ErrorEquals.includes('States.ALL'))?.MaxAttempts,
    ).toBe(6);
    expect(undo?.Catch?.[0]?.Next).toBe('Record failed');
    expect(States['Record failed']?.Next).toBe('Compensation failed');
    expect(States['Compensation failed']?.Type).toBe('Fail');
  });

  it('retries a step whose outcome is unknown on the same schedule, then undoes the step itself with the completed ones', () => {
    const saga = createOrder();
    for (const step of ['reserve_stock', 'create_order', 'log_activity']) {
      const run = saga.States[`Run ${step}`];
      expect(
        run?.Retry?.find((retry) => retry.ErrorEquals.includes(STEP_ERRORS.outcomeUnknown)),
      ).toEqual({
        ErrorEquals: [...OUTCOME_UNKNOWN_ERRORS],
        IntervalSeconds: 1,
        BackoffRate: 2,
        MaxAttempts: 3,
        JitterStrategy: 'FULL',
      });
      // The unknown-outcome catcher comes before the catch-all, or it would never match.
      expect(run?.Catch?.[0]?.ErrorEquals).toEqual([...OUTCOME_UNKNOWN_ERRORS]);
    }
    expect(pathFrom(saga, saga.States['Run reserve_stock']?.Catch?.[0]?.Next)).toEqual([
      'Undo reserve_stock',
      'Record rolled back',
      'Rolled back',
    ]);
    expect(pathFrom(saga, saga.States['Run log_activity']?.Catch?.[0]?.Next)).toEqual([
      'Undo log_activity',
      'Undo create_order',
      'Undo reserve_stock',
      'Record rolled back',
      'Rolled back',
    ]);
  });

  it('catches every task that records how the saga ended: the operation is recorded failed and the execution fails', () => {
    for (const saga of sagas()) {
      // Record failed exists only in a saga with something to undo.
      const finishing = ['Record succeeded', 'Record rolled back', 'Record failed'].filter(
        (name) => name !== 'Record failed' || saga.States[name],
      );
      expect(finishing.length, saga.tool).toBeGreaterThanOrEqual(2);
      for (const name of finishing) {
        expect(catchAll(saga.States[name])?.Next, `${saga.tool}: ${name}`).toBe(
          'Record finishing failed',
        );
      }
      const fallback = saga.States['Record finishing failed'];
      expect(fallback?.Parameters).toMatchObject({
        action: 'finish',
        outcome: 'finish_failed',
        'error.$': '$.finishError',
      });
      expect(fallback?.Next).toBe('Finishing failed');
      expect(catchAll(fallback)?.Next).toBe('Finishing failed');
      expect(saga.States['Finishing failed']?.Type).toBe('Fail');
    }
  });

  it('names only errors of the published contract: every Toolgate error it throws or matches', () => {
    const contract = new Set<string>([
      ...Object.values(STEP_ERRORS),
      ...OUTCOME_UNKNOWN_ERRORS,
      ...Object.values(SAGA_ERRORS),
    ]);
    const named = sagas().flatMap(({ States }) =>
      Object.values(States).flatMap((state) => [
        ...(state.Error ? [state.Error] : []),
        ...(state.Retry ?? []).flatMap((retry) => retry.ErrorEquals),
        ...(state.Catch ?? []).flatMap((entry) => entry.ErrorEquals),
      ]),
    );
    expect(named).toContain(STEP_ERRORS.transient);
    expect(
      [...new Set(named)].filter((name) => name.startsWith('Toolgate.') && !contract.has(name)),
    ).toEqual([]);
  });
});
