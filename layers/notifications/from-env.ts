import type { SNSClient } from '@aws-sdk/client-sns';
import { createSnsClient } from '../aws/clients.ts';
import type { RuntimeEnv } from '../config/env.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import {
  type ChatChannel,
  ChatNotifier,
  type ChatWebhook,
  chatChannels,
  type NotifyLogger,
} from './chat-notifier.ts';
import { type Notifier, silentNotifier } from './notifier.ts';
import { SnsNotifier } from './sns-notifier.ts';
import type { WebhookPostOptions } from './webhook-post.ts';

/**
 * The notifier of a function that proposes writes or ends operations: it publishes to the
 * notifications topic (`NOTIFICATIONS_TOPIC_ARN`), or tells nobody when that is unset.
 *
 * @example
 * const notifier = notifierFrom(parseEnv(process.env), { logger });
 * await notifier.notify({ kind: 'approval_waiting', … }); // never throws
 */
export function notifierFrom(
  env: Pick<RuntimeEnv, 'NOTIFICATIONS_TOPIC_ARN'>,
  deps: { logger: Pick<NotifyLogger, 'warn'>; client?: SNSClient },
): Notifier {
  if (!env.NOTIFICATIONS_TOPIC_ARN) return silentNotifier;
  return new SnsNotifier({
    client: deps.client ?? createSnsClient(),
    topicArn: env.NOTIFICATIONS_TOPIC_ARN,
    logger: deps.logger,
  });
}

/**
 * The chats the notify function posts to: Slack when `SLACK_WEBHOOK_SECRET_ID` is set, Teams when
 * `TEAMS_WEBHOOK_SECRET_ID` is; each is skipped while its secret holds no `url`.
 *
 * @example
 * const chats = chatNotifierFrom(env, { secrets, logger });
 */
export function chatNotifierFrom(
  env: Pick<RuntimeEnv, 'SLACK_WEBHOOK_SECRET_ID' | 'TEAMS_WEBHOOK_SECRET_ID'>,
  deps: {
    secrets: SecretProvider;
    logger: NotifyLogger;
    post?: WebhookPostOptions;
  },
): ChatNotifier {
  const webhooks = (Object.keys(chatChannels) as ChatChannel[]).flatMap(
    (channel): ChatWebhook[] => {
      const secretId = env[chatChannels[channel].secretIdSetting];
      return secretId ? [{ channel, secretId }] : [];
    },
  );
  return new ChatNotifier({
    webhooks,
    secrets: deps.secrets,
    logger: deps.logger,
    ...(deps.post ? { post: deps.post } : {}),
  });
}
