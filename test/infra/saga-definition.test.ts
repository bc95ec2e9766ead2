import { describe, expect, it } from 'vitest';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import { STEP_ERRORS } from '#layers/writes/step-errors.ts';
import { localSagaDefinitions } from '#local/sagas.ts';

type State = {
  Type: string;
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

const createOrder = () => {
  const saga = localSagaDefinitions(tools.filter(isWriteTool)).find(
    (candidate) => candidate.tool === 'create_order',
  );
  if (!saga) throw new Error('create_order saga missing');
  return saga.definition as { StartAt: string; States: Record<string, State> };
};

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
    expect(States['Run reserve_stock']?.Catch?.[0]?.Next).toBe('Record rolled back');
    expect(undoPath(States['Run create_order']?.Catch?.[0]?.Next ?? '')).toEqual([
      'Undo reserve_stock',
      'Record rolled back',
      'Rolled back',
    ]);
    expect(undoPath(States['Run log_activity']?.Catch?.[0]?.Next ?? '')).toEqual([
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
});
