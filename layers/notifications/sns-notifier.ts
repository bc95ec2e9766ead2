import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotifyLogger } from './chat-notifier.ts';
import type { Notification, Notifier } from './notifier.ts';
import { viewOf } from './wording.ts';

/** SNS e-mail subjects: printable ASCII, one line, under 100 characters. */
const subjectOf = (notification: Notification): string =>
  `Toolgate: ${viewOf(notification).title}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 99);

/**
 * The text e-mail subscribers of the topic read: the same words as the chats, without markup (a
 * plain-text mail shows an agent's text as typed).
 *
 * @example
 * emailText(notification); // 'Approval waiting: create_order\n\nOrder 3 × …\n\nProposed by: ana\n…'
 */
export function emailText(notification: Notification): string {
  const view = viewOf(notification);
  return [
    view.title,
    '',
    view.lead,
    '',
    ...view.facts.map((fact) => `${fact.label}: ${fact.value}`),
    ...(view.link ? ['', `${view.link.label}: ${view.link.url}`] : []),
  ].join('\n');
}

export interface SnsNotifierOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
  readonly logger: Pick<NotifyLogger, 'warn'>;
}

/**
 * Publishes each notification to the notifications topic, once: its subscribers tell people (the
 * notify function posts to Slack and Teams; e-mail and other subscriptions get a text version).
 * The message is the notification as JSON (`default`, what the notify function, SQS and
 * `email-json` subscribers get) and a plain text for `email`; the attributes `kind` and `tool`
 * let a subscription filter (e.g. `{"kind":["operation_failed"]}`). A failed publish is logged
 * and never fails the write that notified.
 *
 * @example
 * const notifier = new SnsNotifier({ client: new SNSClient({}), topicArn, logger });
 * await notifier.notify({ kind: 'approval_waiting', … });
 */
export class SnsNotifier implements Notifier {
  readonly #options: SnsNotifierOptions;

  constructor(options: SnsNotifierOptions) {
    this.#options = options;
  }

  async notify(notification: Notification): Promise<void> {
    try {
      await this.#options.client.send(
        new PublishCommand({
          TopicArn: this.#options.topicArn,
          Subject: subjectOf(notification),
          MessageStructure: 'json',
          Message: JSON.stringify({
            default: JSON.stringify(notification),
            email: emailText(notification),
          }),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: notification.kind },
            tool: { DataType: 'String', StringValue: notification.tool },
          },
        }),
      );
    } catch (error) {
      this.#options.logger.warn('notification not published', {
        kind: notification.kind,
        tool: notification.tool,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
}
