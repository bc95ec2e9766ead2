import type { ToolLogger } from '../observability/tool-logger.ts';

/** What a connector asks of its system's shared circuit breaker. */
export interface ConnectorBreaker {
  beforeCall(): Promise<void>;
  afterCall(success: boolean): Promise<void>;
}

/**
 * Tells the breaker how a call ended. A failure to update the shared breaker is logged, never the
 * call's answer: the call itself succeeded or failed on its own.
 *
 * @example
 * const recordOutcome = breakerOutcomes(breaker, 'erp', logger);
 * await recordOutcome(true);
 */
export function breakerOutcomes(
  breaker: ConnectorBreaker | undefined,
  systemId: string,
  logger: Pick<ToolLogger, 'warn'>,
): (success: boolean) => Promise<void> {
  return async (success) => {
    try {
      await breaker?.afterCall(success);
    } catch (error) {
      logger.warn('circuit breaker update failed', {
        system: systemId,
        error: (error as Error).message,
      });
    }
  };
}
