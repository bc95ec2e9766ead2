import * as z from 'zod';
import type { ToolLogger } from '#layers/observability/tool-logger.ts';
import type { ToolRunner } from '#layers/tools/tool-runner.ts';

const prefetchEvent = z.object({
  conversationId: z.string().min(1).max(200),
  caller: z.object({ sub: z.string().min(1), roles: z.array(z.string()) }),
  input: z.unknown(),
});

/**
 * The conversation-start prefetch on AWS: a message from a read tool function or MCP, whose caller
 * was authenticated and authorised there. It runs the customer context and keeps the
 * answer for the conversation; a failure is logged and dropped (the agent's own call runs live).
 */
export function prefillHandler(deps: {
  runner: Pick<ToolRunner, 'prefill'>;
  logger: Pick<ToolLogger, 'error' | 'warn'>;
}) {
  return async (event: unknown): Promise<void> => {
    const parsed = prefetchEvent.safeParse(event);
    if (!parsed.success) {
      deps.logger.error('prefetch event has the wrong shape', { issues: parsed.error.issues });
      return;
    }
    try {
      await deps.runner.prefill(parsed.data);
    } catch (error) {
      deps.logger.warn('conversation prefetch failed', { error: (error as Error).message });
    }
  };
}
