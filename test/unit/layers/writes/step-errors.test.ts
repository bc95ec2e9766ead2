import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '#layers/errors/index.ts';
import {
  parseStepCause,
  STEP_ERRORS,
  StepFailure,
  toStepFailure,
} from '#layers/writes/step-errors.ts';

/**
 * What Step Functions passes a Catch for a Lambda task that threw `error`: `Error` is the
 * runtime's `errorType` (the error's name), `Cause` the runtime's whole error response as JSON.
 */
const caughtFromLambda = (error: Error) => ({
  Error: error.name,
  Cause: JSON.stringify({
    errorType: error.name,
    errorMessage: error.message,
    trace: (error.stack ?? '').split('\n'),
  }),
});

describe('toStepFailure', () => {
  it('names retryable upstream failures transient, so the saga retries them', () => {
    expect(toStepFailure(new UpstreamUnavailableError('down')).name).toBe(STEP_ERRORS.transient);
  });

  it('names a timeout an unknown outcome: the system may have applied the write', () => {
    const failure = toStepFailure(new UpstreamTimeoutError('slow'));
    expect(failure.name).toBe(STEP_ERRORS.outcomeUnknown);
    expect(failure.detail.code).toBe('upstream_timeout');
  });

  it('names business refusals and unknown failures rejected, so the saga compensates', () => {
    expect(toStepFailure(new ConflictError('insufficient_stock', 'no stock')).name).toBe(
      STEP_ERRORS.rejected,
    );
    expect(toStepFailure(new Error('boom'))).toMatchObject({
      name: STEP_ERRORS.rejected,
      detail: { code: 'step_failed' },
    });
  });

  it('returns a StepFailure as it is', () => {
    const failure = new StepFailure(STEP_ERRORS.transient, { code: 'x', message: 'y' });
    expect(toStepFailure(failure)).toBe(failure);
  });
});

describe('parseStepCause', () => {
  it('round-trips the detail through the Cause Lambda gives Step Functions', () => {
    // Arrange
    const failure = toStepFailure(new ConflictError('insufficient_stock', 'no "stock" left'));
    // Act
    const detail = parseStepCause(caughtFromLambda(failure));
    // Assert
    expect(detail).toEqual({ code: 'insufficient_stock', message: 'no "stock" left' });
  });

  it("reads the failure's message itself, as local mode's Step Functions passes it", () => {
    const failure = new StepFailure(STEP_ERRORS.rejected, { code: 'step_unknown', message: 'm' });
    expect(parseStepCause({ Error: failure.name, Cause: failure.message })).toEqual(failure.detail);
  });

  it('writes and reads the wire form executions already running have stored', () => {
    // An oracle apart from the codec, written by hand the way Lambda writes it.
    expect(
      new StepFailure(STEP_ERRORS.rejected, { code: 'insufficient_stock', message: 'No stock.' })
        .message,
    ).toBe('{"code":"insufficient_stock","message":"No stock."}');
    const Cause =
      '{"errorType":"Toolgate.StepRejected","errorMessage":"{\\"code\\":\\"insufficient_stock\\",\\"message\\":\\"No stock.\\"}","trace":["Toolgate.StepRejected: …"]}';
    expect(parseStepCause({ Error: 'Toolgate.StepRejected', Cause })).toEqual({
      code: 'insufficient_stock',
      message: 'No stock.',
    });
  });

  it('gives a generic detail for a Cause that is no StepFailure, by its error name', () => {
    expect(parseStepCause(caughtFromLambda(new TypeError('x is undefined')))).toEqual({
      code: 'step_failed',
      message: 'A step failed.',
    });
    expect(parseStepCause({ Error: STEP_ERRORS.transient, Cause: 'not json' })).toEqual({
      code: 'upstream_unavailable',
      message: 'A step failed.',
    });
    expect(
      parseStepCause({ Error: 'States.TaskFailed', Cause: '{"code":1,"message":"m"}' }),
    ).toEqual({ code: 'step_failed', message: 'A step failed.' });
    expect(parseStepCause(undefined)).toEqual({ code: 'step_failed', message: 'A step failed.' });
  });
});
