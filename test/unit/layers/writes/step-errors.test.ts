import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '#layers/errors/index.ts';
import { parseStepCause, STEP_ERRORS, toStepError } from '#layers/writes/step-errors.ts';

describe('toStepError', () => {
  it('names retryable upstream failures transient, so the saga retries them', () => {
    expect(toStepError(new UpstreamUnavailableError('down')).name).toBe(STEP_ERRORS.transient);
  });

  it('names a timeout an unknown outcome: the system may have applied the write', () => {
    const error = toStepError(new UpstreamTimeoutError('slow'));
    expect(error.name).toBe(STEP_ERRORS.outcomeUnknown);
    expect(parseStepCause({ Error: error.name, Cause: error.message }).code).toBe(
      'upstream_timeout',
    );
  });

  it('names business refusals and unknown failures rejected, so the saga compensates', () => {
    expect(toStepError(new ConflictError('insufficient_stock', 'no stock')).name).toBe(
      STEP_ERRORS.rejected,
    );
    expect(toStepError(new Error('boom')).name).toBe(STEP_ERRORS.rejected);
  });

  it('carries code and message through Step Functions as JSON', () => {
    const error = toStepError(new ConflictError('insufficient_stock', 'no stock'));
    expect(parseStepCause({ Error: error.name, Cause: error.message })).toEqual({
      code: 'insufficient_stock',
      message: 'no stock',
    });
    const lambdaCause = JSON.stringify({ errorType: error.name, errorMessage: error.message });
    expect(parseStepCause({ Error: error.name, Cause: lambdaCause })).toEqual({
      code: 'insufficient_stock',
      message: 'no stock',
    });
  });
});
