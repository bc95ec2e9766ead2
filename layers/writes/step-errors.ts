import * as z from 'zod';
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

/** What a failed step tells its operation: the `error` an operation ends with. */
export const stepFailureDetailSchema = z.object({ code: z.string(), message: z.string() });
export type StepFailureDetail = z.infer<typeof stepFailureDetailSchema>;

/** A codec between JSON text and what `schema` checks; text that is not JSON is an issue. */
const jsonText = <T extends z.ZodType>(schema: T) =>
  z.codec(z.string(), schema, {
    decode: (text, ctx) => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.issues.push({ code: 'invalid_format', format: 'json', input: text });
        return z.NEVER;
      }
    },
    encode: (value) => JSON.stringify(value),
  });

/**
 * The one encoding of a step failure's detail: Step Functions passes a Lambda error on only as
 * its name (`Error`) and message, so the detail travels in `Error.message` as JSON.
 */
const stepFailureMessage = jsonText(stepFailureDetailSchema);

/**
 * The `Cause` Step Functions passes on for a Lambda task that threw: the Node.js runtime's error
 * response, `{errorType, errorMessage, trace}`, as JSON, with the thrown error's message in
 * `errorMessage`. Only `errorMessage` is read.
 */
const lambdaErrorCause = jsonText(z.object({ errorMessage: stepFailureMessage }));

/**
 * A step's failure: its name is the STEP_ERRORS name the state machine's Retry and Catch match,
 * its message the encoded detail the saga records when it ends.
 *
 * @example
 * throw new StepFailure(STEP_ERRORS.rejected, { code: 'step_unknown', message: 'No such step.' });
 */
export class StepFailure extends Error {
  override readonly name: StepErrorName;
  readonly detail: StepFailureDetail;

  constructor(name: StepErrorName, detail: StepFailureDetail) {
    super(z.encode(stepFailureMessage, detail));
    this.name = name;
    this.detail = detail;
  }
}

/**
 * Classifies what a step threw: a timeout leaves its outcome unknown, other retryable upstream
 * failures are transient (the system answered that it did nothing), the rest rejected.
 */
export function toStepFailure(error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof UpstreamTimeoutError) {
    return new StepFailure(STEP_ERRORS.outcomeUnknown, {
      code: error.code,
      message: error.message,
    });
  }
  if (error instanceof AppError) {
    return new StepFailure(error.retryable ? STEP_ERRORS.transient : STEP_ERRORS.rejected, {
      code: error.code,
      message: error.message,
    });
  }
  const name = (error as Error)?.name ?? '';
  if (name === 'IdempotencyAlreadyInProgressError') {
    return new StepFailure(STEP_ERRORS.transient, {
      code: 'step_in_progress',
      message: 'The same step is running elsewhere; retrying.',
    });
  }
  return new StepFailure(STEP_ERRORS.rejected, {
    code: 'step_failed',
    message: 'The step failed unexpectedly; see the logs.',
  });
}

/**
 * Reads a StepFailure's detail back from the error a Catch passes on (`{Error, Cause}`): `Cause`
 * is Lambda's error response on AWS, the failure's message itself in local mode
 * (aws-local-stepfunctions); anything else gets a generic detail.
 */
export function parseStepCause(
  error: { Error?: string; Cause?: string } | undefined,
): StepFailureDetail {
  if (!error) return { code: 'step_failed', message: 'A step failed.' };
  const cause = error.Cause ?? '';
  const own = stepFailureMessage.safeDecode(cause);
  if (own.success) return own.data;
  const wrapped = lambdaErrorCause.safeDecode(cause);
  if (wrapped.success) return wrapped.data.errorMessage;
  return {
    code: error.Error === STEP_ERRORS.transient ? 'upstream_unavailable' : 'step_failed',
    message: 'A step failed.',
  };
}
