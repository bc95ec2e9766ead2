import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isAllowed, type Policy } from '../auth/policy.ts';
import { type createDocumentClient, createSqsClient } from '../aws/clients.ts';
import type { RuntimeEnv } from '../config/env.ts';
import { logger } from '../observability/logger.ts';
import { resilienceKeys } from '../resilience/keys.ts';
import { isWriteTool } from '../tools/define.ts';
import {
  ConversationPrefetch,
  conversationPrefetchOf,
  type PrefetchLauncher,
} from '../tools/prefetch.ts';
import { registry } from '../tools/registry.ts';

/**
 * The conversation-start prefetch of the customer context, as CONVERSATION_PREFETCH says: `queue`
 * sends it to PREFETCH_QUEUE_URL for the prefetch function (on AWS and in local mode alike), `off`
 * has none. Claims are conditional writes in the resilience table, so
 * one conversation prefetches a customer once across every instance.
 *
 * @example
 * const prefetch = conversationPrefetch(env, policy, dynamo);
 */
export function conversationPrefetch(
  env: RuntimeEnv,
  policy: Policy,
  client: ReturnType<typeof createDocumentClient>,
): ConversationPrefetch | undefined {
  const table = env.RESILIENCE_TABLE_NAME;
  const tool = registry.get(conversationPrefetchOf.tool);
  if (env.CONVERSATION_PREFETCH === 'off' || !table || !tool || isWriteTool(tool)) return undefined;
  const launch = launcherFor(env);
  return new ConversationPrefetch({
    tool,
    trigger: conversationPrefetchOf.trigger,
    allowed: (caller) => isAllowed(policy, caller, tool),
    ttlSeconds: env.PREFETCH_TTL_SECONDS,
    logger,
    launch,
    claim: async (key) => {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: {
              pk: resilienceKeys.prefetchClaim.key(tool.name, key),
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

function launcherFor(env: RuntimeEnv): PrefetchLauncher {
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
