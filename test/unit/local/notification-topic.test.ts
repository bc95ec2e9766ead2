import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LambdaHandler } from '#local/api-gateway.ts';
import { type LocalTopics, startLocalTopics } from '#local/notification-topic.ts';

describe('startLocalTopics', () => {
  let topics: LocalTopics;
  let sns: SNSClient;
  const received: { functionName: string; event: SNSEvent }[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    const subscriber = (functionName: string, fail = false) => ({
      functionName,
      handler: async (): Promise<LambdaHandler> => async (event, context) => {
        received.push({ functionName: context.functionName, event: event as unknown as SNSEvent });
        if (fail) throw new Error('subscriber crashed');
        return undefined;
      },
    });
    topics = await startLocalTopics({
      topics: [
        {
          name: 'notifications',
          subscribers: [subscriber('notify'), subscriber('audit-copy', true)],
        },
        { name: 'quiet', subscribers: [] },
      ],
      onError: (error, name) => failures.push(`${name}: ${(error as Error).message}`),
    });
    // The AWS SDK's own SNS client, as the functions use it, pointed at the stand-in.
    sns = new SNSClient({
      endpoint: topics.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    sns.destroy();
    await topics.close();
  });
  beforeEach(() => {
    received.length = 0;
    failures.length = 0;
  });

  it('answers Publish with a message id and invokes every subscriber with the SNS event Lambda gets', async () => {
    const topicArn = topics.arns.notifications ?? '';

    const answer = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'Toolgate: Approval waiting: create_order',
        MessageStructure: 'json',
        Message: JSON.stringify({
          default: '{"kind":"approval_waiting"}',
          email: 'Approval waiting',
        }),
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'approval_waiting' } },
      }),
    );
    await topics.idle();

    expect(answer.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received.map((r) => r.functionName).sort()).toEqual(['audit-copy', 'notify']);
    const [record, ...more] = received[0]?.event.Records ?? [];
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      Sns: {
        Type: 'Notification',
        MessageId: answer.MessageId,
        TopicArn: topicArn,
        Subject: 'Toolgate: Approval waiting: create_order',
        // A Lambda subscriber gets the `default` part of a JSON-structured message.
        Message: '{"kind":"approval_waiting"}',
        MessageAttributes: { kind: { Type: 'String', Value: 'approval_waiting' } },
      },
    });
    expect(record?.EventSubscriptionArn.startsWith(`${topicArn}:`)).toBe(true);
    // A subscriber that fails is reported, and the others still got the message.
    expect(failures).toEqual(['audit-copy: subscriber crashed']);
  });

  it('refuses, as SNS does, a topic that does not exist and a JSON message without a default', async () => {
    await expect(
      sns.send(new PublishCommand({ TopicArn: `${topics.arns.notifications}-x`, Message: 'hi' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(
      sns.send(
        new PublishCommand({
          TopicArn: topics.arns.notifications,
          MessageStructure: 'json',
          Message: '{"email":"only"}',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await topics.idle();
    expect(received).toEqual([]);
  });
});
