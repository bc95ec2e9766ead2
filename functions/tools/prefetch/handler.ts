import type { SQSEvent } from 'aws-lambda';
import { prefetchRole } from '#layers/composition/roles.ts';
import { prefillHandler } from './prefill.ts';

const deps = prefetchRole(process.env);
const prefill = prefillHandler(deps);

/**
 * Reads the prefetch queue (never API Gateway): each message is one prefetch, started by a read
 * tool function or MCP. Best effort: a prefetch that fails is logged and dropped, since the
 * agent's own call then runs live.
 */
export const handler = async (event: SQSEvent): Promise<void> => {
  for (const record of event.Records) {
    let request: unknown;
    try {
      request = JSON.parse(record.body);
    } catch {
      deps.logger.error('prefetch message is not JSON', { messageId: record.messageId });
      continue;
    }
    await prefill(request);
  }
};
