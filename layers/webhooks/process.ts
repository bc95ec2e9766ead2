import { type CanonicalEvent, canonicalEventSchema } from './events.ts';
import type { EventLog } from './stores.ts';
import type { EventSubscriber } from './subscribers.ts';

export interface ProcessDeps {
  log: Pick<EventLog, 'begin' | 'finish'>;
  subscribers: readonly EventSubscriber[];
}

/**
 * Processes one queued event exactly once: logged (and taken) first, handed to every subscriber,
 * then marked processed. A redelivered event that was processed is skipped; a subscriber that
 * fails leaves it unprocessed, so the queue brings it back.
 *
 * @example
 * const outcome = await processEvent(deps, JSON.parse(record.body)); // 'processed' | 'duplicate'
 */
export async function processEvent(
  deps: ProcessDeps,
  message: unknown,
): Promise<'processed' | 'duplicate'> {
  const event: CanonicalEvent = canonicalEventSchema.parse(message);
  if (!(await deps.log.begin(event))) return 'duplicate';
  for (const subscriber of deps.subscribers) await subscriber.handle(event);
  await deps.log.finish(event.id);
  return 'processed';
}
