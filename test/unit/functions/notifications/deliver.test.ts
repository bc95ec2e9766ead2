import { describe, expect, it } from 'vitest';
import { deliverNotifications } from '#functions/notifications/notify/deliver.ts';
import type { Notification } from '#layers/notifications/notifier.ts';
import { snsEvent } from '#test/helpers/lambda.ts';
import { approvalWaiting, operationFailed } from '#test/helpers/notifications.ts';

function setUp() {
  const told: Notification[] = [];
  const warnings: [string, Record<string, unknown>][] = [];
  const deps = {
    chats: { notify: async (notification: Notification) => void told.push(notification) },
    logger: {
      warn: (message: string, data: Record<string, unknown>) => void warnings.push([message, data]),
    },
  };
  return { deps, told, warnings };
}

describe('deliverNotifications', () => {
  it('tells the chats about the notification each SNS record carries', async () => {
    const { deps, told } = setUp();
    const waiting = approvalWaiting();
    const failed = operationFailed();
    const event = snsEvent(waiting);
    event.Records.push(...snsEvent(failed).Records);

    await deliverNotifications(deps, event);

    expect(told).toEqual([waiting, failed]);
  });

  it('drops a message that is no notification, naming what is wrong, and goes on with the rest', async () => {
    const { deps, told, warnings } = setUp();
    const event = snsEvent('Hello from someone else');
    event.Records.push(...snsEvent({ ...approvalWaiting(), approveUrl: 'not a url' }).Records);
    event.Records.push(...snsEvent(operationFailed()).Records);

    await deliverNotifications(deps, event);

    expect(told).toEqual([operationFailed()]);
    expect(warnings.map(([message, data]) => [message, data.problems])).toEqual([
      ['not a notification: dropped', 'the message is not JSON'],
      ['not a notification: dropped', expect.stringMatching(/^approveUrl: /)],
    ]);
    expect(warnings[0]?.[1].messageId).toBe(event.Records[0]?.Sns.MessageId);
  });
});
