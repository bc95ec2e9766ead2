import { AppError, UpstreamTimeoutError } from '../errors/index.ts';

/**
 * Error names a saga step throws. Step Functions' Retry and Catch match on them, so they are a
 * public contract: renaming one changes every state machine.
 */
export const STEP_ERRORS = {
  /** The system was unavailable or slow; the state machine retries with backoff. */
  transient: 'Toolgate.TransientError',
  /** The system refused the write or a precondition no longer holds; not retried: compensate. */
  rejected: 'Toolgate.StepRejected',
  /**
   * The request may or may not have reached the system (it timed out): retried with the same
   * idempotency key, and when it finally fails, the step itself is compensated too.
   */
  outcomeUnknown: 'Toolgate.OutcomeUnknown',
} as const;

/**
 * Error names a saga execution itself fails with, when a person must look at the operation.
 * Whoever watches executions (the console, EventBridge rules on their status) sees them, so they
 * are a public contract like STEP_ERRORS.
 */
export const SAGA_ERRORS = {
  /** A compensation kept failing; the operation is recorded `failed`. */
  compensationFailed: 'Toolgate.CompensationFailed',
  /** The task that records how the saga ended kept failing. */
  finishingFailed: 'Toolgate.FinishingFailed',
} as const;

/**
 * Errors after which a step's outcome is unknown: its own timeouts, and Lambda's names for a task
 * whose function crashed or timed out before it could say (`Lambda.Unknown`, `Sandbox.Timedout`).
 */
export const OUTCOME_UNKNOWN_ERRORS = [
  STEP_ERRORS.outcomeUnknown,
  'Lambda.Unknown',
  'Sandbox.Timedout',
] as const;

export type StepErrorName = (typeof STEP_ERRORS)[keyof typeof STEP_ERRORS];

/** An error with a stable name and a JSON message `{code, message}` that the saga keeps. */
export class StepError extends Error {
  constructor(name: StepErrorName, code: string, message: string) {
    super(JSON.stringify({ code, message }));
    this.name = name;
  }
}

/**
 * Classifies what a step threw: a timeout leaves its outcome unknown, other retryable upstream
 * failures are transient (the system answered that it did nothing), the rest rejected.
 */
export function toStepError(error: unknown): StepError {
  if (error instanceof StepError) return error;
  if (error instanceof UpstreamTimeoutError) {
    return new StepError(STEP_ERRORS.outcomeUnknown, error.code, error.message);
  }
  if (error instanceof AppError) {
    return new StepError(
      error.retryable ? STEP_ERRORS.transient : STEP_ERRORS.rejected,
      error.code,
      error.message,
    );
  }
  const name = (error as Error)?.name ?? '';
  if (name === 'IdempotencyAlreadyInProgressError') {
    return new StepError(
      STEP_ERRORS.transient,
      'step_in_progress',
      'The same step is running elsewhere; retrying.',
    );
  }
  return new StepError(
    STEP_ERRORS.rejected,
    'step_failed',
    'The step failed unexpectedly; see the logs.',
  );
}

/** Reads `{code, message}` back from what Step Functions passes on (`Cause` as JSON or text). */
export function parseStepCause(error: { Error?: string; Cause?: string } | undefined): {
  code: string;
  message: string;
} {
  if (!error) return { code: 'step_failed', message: 'A step failed.' };
  const cause = error.Cause ?? '';
  for (const candidate of [cause, safeJson(cause)?.errorMessage]) {
    const parsed = typeof candidate === 'string' ? safeJson(candidate) : undefined;
    if (parsed && typeof parsed.code === 'string' && typeof parsed.message === 'string') {
      return { code: parsed.code, message: parsed.message };
    }
  }
  return {
    code: error.Error === STEP_ERRORS.transient ? 'upstream_unavailable' : 'step_failed',
    message: 'A step failed.',
  };
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
