import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isAllowed, type Policy } from '../auth/policy.ts';
import { type createDocumentClient, createSqsClient } from '../aws/clients.ts';
import type { RuntimeEnv } from '../config/env.ts';
import { logger } from '../observability/logger.ts';
import { resilienceKeys } from '../resilience/keys.ts';
import {
  ConversationPrefetch,
  type PrefetchLauncher,
  type PrefetchRequest,
} from '../tools/prefetch.ts';
import { getCustomerContext } from '../tools/read/get-customer-context.ts';

/**
 * The conversation-start prefetch of the customer context, as CONVERSATION_PREFETCH says: `queue`
 * sends it to PREFETCH_QUEUE_URL for the prefetch function (AWS), `inline` runs it in this process
 * after the answer (local mode), `off` has none. Claims are conditional writes in the resilience table, so
 * one conversation prefetches a customer once across every instance.
 *
 * @example
 * const prefetch = conversationPrefetch(env, policy, dynamo, (request) => runner.prefill(request));
 */
export function conversationPrefetch(
  env: RuntimeEnv,
  policy: Policy,
  client: ReturnType<typeof createDocumentClient>,
  prefill: (request: PrefetchRequest) => Promise<void>,
): ConversationPrefetch | undefined {
  const table = env.RESILIENCE_TABLE_NAME;
  if (env.CONVERSATION_PREFETCH === 'off' || !table) return undefined;
  const launch = launcherFor(env, prefill);
  return new ConversationPrefetch({
    tool: getCustomerContext,
    trigger: 'customerId',
    allowed: (caller) => isAllowed(policy, caller, getCustomerContext),
    ttlSeconds: env.PREFETCH_TTL_SECONDS,
    logger,
    launch,
    claim: async (key) => {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: {
              pk: resilienceKeys.prefetchClaim.key(getCustomerContext.name, key),
              ttl: Math.floor(Date.now() / 1000) + 3600,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  });
}

function launcherFor(
  env: RuntimeEnv,
  prefill: (request: PrefetchRequest) => Promise<void>,
): PrefetchLauncher {
  if (env.CONVERSATION_PREFETCH === 'inline') {
    return async (request) => {
      setImmediate(() => {
        prefill(request).catch((error: unknown) =>
          logger.warn('conversation prefetch failed', { error: (error as Error).message }),
        );
      });
    };
  }
  // The prefetch function itself has no PREFETCH_QUEUE_URL: it only fills, never launches.
  const queueUrl = env.PREFETCH_QUEUE_URL;
  const sqs = queueUrl ? createSqsClient() : undefined;
  return async (request) => {
    if (!sqs) throw new Error('CONVERSATION_PREFETCH=queue needs PREFETCH_QUEUE_URL');
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request) }),
    );
  };
}
