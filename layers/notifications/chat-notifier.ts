import { AppError } from '../errors/index.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import type { Notification, Notifier } from './notifier.ts';
import { slackMessage } from './slack-message.ts';
import { teamsMessage } from './teams-message.ts';
import { postWebhook, type WebhookPostOptions } from './webhook-post.ts';

/** The chats notifications are posted to, each through its incoming webhook. */
export const chatChannels = {
  slack: { displayName: 'Slack', secretIdSetting: 'SLACK_WEBHOOK_SECRET_ID' },
  teams: { displayName: 'Microsoft Teams', secretIdSetting: 'TEAMS_WEBHOOK_SECRET_ID' },
} as const;
export type ChatChannel = keyof typeof chatChannels;

/** The logging notifiers do; Powertools' `Logger` is one. */
export interface NotifyLogger {
  debug(message: string, data: Record<string, unknown>): void;
  info(message: string, data: Record<string, unknown>): void;
  warn(message: string, data: Record<string, unknown>): void;
  error(message: string, data: Record<string, unknown>): void;
}

/** The message each chat takes. */
export const chatMessages: Readonly<Record<ChatChannel, (notification: Notification) => unknown>> =
  { slack: slackMessage, teams: teamsMessage };

/** Where a chat's incoming webhook is: a secret `{"url":"https://…"}`. */
export interface ChatWebhook {
  readonly channel: ChatChannel;
  readonly secretId: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The webhook URL in a chat's secret; undefined while the secret holds none (the placeholder the
 * stack creates), so an unconfigured chat is skipped rather than failed.
 *
 * @throws ConfigurationError when the secret cannot be read; Error when its `url` is no https URL
 * (plain http only to this machine, as local mode's chat sandbox)
 */
export async function webhookUrlOf(
  secrets: SecretProvider,
  webhook: ChatWebhook,
  options: { forceFetch?: boolean } = {},
): Promise<string | undefined> {
  const { url } = await secrets.getJson(webhook.secretId, options);
  if (url === undefined || url === '') return undefined;
  const parsed = typeof url === 'string' && URL.canParse(url) ? new URL(url) : undefined;
  const allowed =
    parsed?.protocol === 'https:' ||
    (parsed?.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
  // The message names the secret, never the value: the URL is the secret.
  if (!allowed)
    throw new Error(
      `secret "${webhook.secretId}" must hold {"url":"https://…"}, the ${webhook.channel} incoming webhook URL`,
    );
  return url as string;
}

export interface ChatNotifierOptions {
  readonly webhooks: readonly ChatWebhook[];
  readonly secrets: SecretProvider;
  readonly logger: NotifyLogger;
  readonly post?: WebhookPostOptions;
}

/**
 * Sends each notification to the chats whose webhook secret holds a URL, all at once; a chat
 * that cannot be reached is retried a little (transient failures only) and then logged, without
 * its URL, and never fails the caller. A webhook that answers it is gone (403, 404, 410) is tried
 * once more if its secret now holds another URL (it was replaced within the secrets cache's age).
 *
 * @example
 * const chats = new ChatNotifier({ webhooks: [{ channel: 'slack', secretId }], secrets, logger });
 * await chats.notify(notification);
 */
export class ChatNotifier implements Notifier {
  readonly #options: ChatNotifierOptions;

  constructor(options: ChatNotifierOptions) {
    this.#options = options;
  }

  async notify(notification: Notification): Promise<void> {
    await Promise.all(this.#options.webhooks.map((webhook) => this.#send(webhook, notification)));
  }

  async #send(webhook: ChatWebhook, notification: Notification): Promise<void> {
    const { secrets, logger } = this.#options;
    const about = { channel: webhook.channel, kind: notification.kind, tool: notification.tool };
    try {
      const url = await webhookUrlOf(secrets, webhook);
      if (!url) {
        logger.debug('chat not configured: its webhook secret holds no url', about);
        return;
      }
      const message = chatMessages[webhook.channel](notification);
      let outcome = await postWebhook(url, message, this.#options.post);
      if (!outcome.ok && outcome.gone) {
        const current = await webhookUrlOf(secrets, webhook, { forceFetch: true });
        if (current && current !== url)
          outcome = await postWebhook(current, message, this.#options.post);
      }
      if (outcome.ok) logger.info('chat notified', { ...about, attempts: outcome.attempts });
      else
        logger.warn('chat notification not delivered', {
          ...about,
          attempts: outcome.attempts,
          reason: outcome.reason,
        });
    } catch (error) {
      // Only a configuration problem reaches here (the post itself never throws): an operator
      // must act, so it is an error; its words name the secret, never the URL.
      logger.error('chat notification not sent: its webhook is misconfigured', {
        ...about,
        operatorDetail:
          error instanceof AppError
            ? (error.operatorDetail ?? error.code)
            : error instanceof Error
              ? error.message
              : String(error),
      });
    }
  }
}
