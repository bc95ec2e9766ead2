import type { SNSEvent } from 'aws-lambda';
import type { NotifyLogger } from '#layers/notifications/chat-notifier.ts';
import { readNotification } from '#layers/notifications/notification-schema.ts';
import type { Notifier } from '#layers/notifications/notifier.ts';

export interface DeliverDeps {
  readonly chats: Notifier;
  readonly logger: Pick<NotifyLogger, 'warn'>;
}

/**
 * Tells the chats about each notification of a batch SNS delivers. A message that is no
 * notification is logged and dropped: retrying it cannot make it one. The chats never throw, so
 * SNS's and Lambda's own retries are left for a function that crashed.
 *
 * @example
 * await deliverNotifications({ chats, logger }, event);
 */
export async function deliverNotifications(deps: DeliverDeps, event: SNSEvent): Promise<void> {
  for (const record of event.Records) {
    const read = readNotification(record.Sns.Message);
    if (!read.ok) {
      deps.logger.warn('not a notification: dropped', {
        messageId: record.Sns.MessageId,
        problems: read.problems,
      });
      continue;
    }
    await deps.chats.notify(read.notification);
  }
}
