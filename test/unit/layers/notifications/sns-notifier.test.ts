import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { notifierFrom } from '#layers/notifications/from-env.ts';
import { readNotification } from '#layers/notifications/notification-schema.ts';
import { silentNotifier } from '#layers/notifications/notifier.ts';
import { emailText, SnsNotifier } from '#layers/notifications/sns-notifier.ts';
import { approvalWaiting, operationFailed } from '#test/helpers/notifications.ts';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:Toolgate-dev-Stateful-NotificationsTopic';

describe('SnsNotifier', () => {
  const client = new SNSClient({ region: 'eu-central-1' });
  const sns = mockClient(client);
  const warnings: unknown[][] = [];
  const logger = { warn: (...args: unknown[]) => void warnings.push(args) };
  beforeEach(() => {
    sns.reset();
    warnings.length = 0;
  });

  it('publishes the notification once: JSON for the notify function, text for e-mail, attributes to filter on', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notification = approvalWaiting();

    await new SnsNotifier({ client, topicArn: TOPIC, logger }).notify(notification);

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({
      TopicArn: TOPIC,
      Subject: 'Toolgate: Approval waiting: create_order',
      MessageStructure: 'json',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'approval_waiting' },
        tool: { DataType: 'String', StringValue: 'create_order' },
      },
    });
    const message = JSON.parse(input.Message ?? '');
    // What the subscribers get back is the notification itself, readable by the notify function.
    expect(readNotification(message.default)).toEqual({ ok: true, notification });
    expect(message.email).toBe(emailText(notification));
  });

  it('writes the e-mail as plain text with the link to act on', () => {
    expect(emailText(approvalWaiting())).toBe(
      [
        'Approval waiting: create_order',
        '',
        'Order 3 × SKU-10001 (Industrial Pump) for Northwind Traders (C-00021): 1,234.50 EUR',
        '',
        'Proposed by: ana',
        'Who approves: The proposer, in the console',
        'Reason given: The customer asked for it on the phone',
        'Expires: 2026-11-23 10:10 UTC',
        'Confirmation: cf_01JD5R3K8Y2W6T9B4N7M1Q0ZXA',
        '',
        'Review in the console: https://gateway.example.com/console/approvals/cf_01JD5R3K8Y2W6T9B4N7M1Q0ZXA',
      ].join('\n'),
    );
  });

  it('keeps the subject to what SNS accepts for e-mail: one line of printable ASCII under 100 characters', async () => {
    sns.on(PublishCommand).resolves({});

    await new SnsNotifier({ client, topicArn: TOPIC, logger }).notify(
      operationFailed({ tool: `é_${'x'.repeat(200)}` }),
    );

    const subject = sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject ?? '';
    expect(subject).toMatch(/^[\x20-\x7e]{1,99}$/);
    expect(subject.startsWith('Toolgate: Operation failed: ?_xxx')).toBe(true);
  });

  it('logs a failed publish and never throws, so the write that notified goes on', async () => {
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFound' }));

    await expect(
      new SnsNotifier({ client, topicArn: TOPIC, logger }).notify(approvalWaiting()),
    ).resolves.toBeUndefined();

    expect(warnings).toEqual([
      [
        'notification not published',
        { kind: 'approval_waiting', tool: 'create_order', error: 'NotFound: Topic does not exist' },
      ],
    ]);
  });
});

describe('notifierFrom', () => {
  it('tells nobody when no topic is configured, and publishes to the topic when one is', () => {
    const logger = { warn: () => undefined };
    expect(notifierFrom({}, { logger })).toBe(silentNotifier);
    expect(notifierFrom({ NOTIFICATIONS_TOPIC_ARN: TOPIC }, { logger })).toBeInstanceOf(
      SnsNotifier,
    );
  });
});

describe('readNotification', () => {
  it('names each wrong field of a message that is no notification', () => {
    expect(readNotification('not json')).toEqual({
      ok: false,
      problems: 'the message is not JSON',
    });
    const read = readNotification(
      JSON.stringify({ ...approvalWaiting(), approveUrl: 'javascript:alert(1)', proposedBy: '' }),
    );
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems).toMatch(/proposedBy: .*; approveUrl: /);
    expect(readNotification(JSON.stringify({ kind: 'party' })).ok).toBe(false);
  });
});
