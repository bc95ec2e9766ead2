import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ToolLogger } from '../observability/tool-logger.ts';
import type { ResponseCache } from '../resilience/response-cache.ts';
import type { CanonicalEvent } from './events.ts';

/** Something done with every canonical event; must be safe to repeat (an event may be retried). */
export interface EventSubscriber {
  name: string;
  handle(event: CanonicalEvent): Promise<void>;
}

/**
 * Which cached answers an entity change makes stale, as data: the tools whose cache (and, for
 * `get_customer_context`, the conversation prefetches) hold that kind of entity.
 */
export const cacheInvalidations: readonly {
  entity: { system: string; type: string };
  tools: readonly string[];
}[] = [
  { entity: { system: 'erp', type: 'product' }, tools: ['get_product_catalog'] },
  { entity: { system: 'erp', type: 'order' }, tools: ['get_customer_context'] },
  { entity: { system: 'crm', type: 'contact' }, tools: ['get_customer_context'] },
  { entity: { system: 'crm', type: 'company' }, tools: ['get_customer_context'] },
  { entity: { system: 'ticketing', type: 'ticket' }, tools: ['get_customer_context'] },
];

/**
 * Invalidates the cached answers an event makes stale, in every instance within the cache's
 * generation time.
 *
 * @example
 * const subscriber = cacheInvalidation(cache, logger);
 */
export function cacheInvalidation(
  cache: Pick<ResponseCache, 'invalidate'>,
  logger: Pick<ToolLogger, 'info'>,
): EventSubscriber {
  return {
    name: 'cache-invalidation',
    async handle(event) {
      const tools = new Set(
        cacheInvalidations
          .filter(
            (rule) =>
              rule.entity.system === event.entity.system && rule.entity.type === event.entity.type,
          )
          .flatMap((rule) => rule.tools),
      );
      for (const tool of tools) {
        await cache.invalidate(tool);
        logger.info('cache invalidated by webhook', { tool, event: event.id });
      }
    },
  };
}

/**
 * Publishes every event to an EventBridge bus for anything downstream: source `toolgate.webhooks`,
 * detail type `<source>.<type>`, detail the canonical event.
 */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): EventSubscriber {
  return {
    name: 'eventbridge',
    async handle(event) {
      const result = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: 'toolgate.webhooks',
              DetailType: `${event.source}.${event.type}`,
              Detail: JSON.stringify(event),
              Time: new Date(event.occurredAt),
            },
          ],
        }),
      );
      if (result.FailedEntryCount) {
        throw new Error(`EventBridge refused event ${event.id}: ${result.Entries?.[0]?.ErrorCode}`);
      }
    },
  };
}
