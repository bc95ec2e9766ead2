import type { Logger } from '@aws-lambda-powertools/logger';
import type { AppError } from '../errors/index.ts';

/**
 * Logs a failed call for operators: what the agent was told, and what only operators may read
 * (`operatorDetail`: secret ids, settings, hosts). A configuration error is an error (an operator
 * must act; alarms watch error logs), any other 5xx a warning.
 *
 * @example
 * if (error instanceof AppError) logFailure(logger, error);
 */
export function logFailure(logger: Pick<Logger, 'error' | 'warn'>, error: AppError): void {
  if (error.statusCode < 500 && error.category !== 'configuration') return;
  const details = {
    code: error.code,
    status: error.statusCode,
    error,
    ...(error.operatorDetail ? { operatorDetail: error.operatorDetail } : {}),
  };
  if (error.category === 'configuration') logger.error('gateway misconfigured', details);
  else logger.warn('call failed', details);
}
