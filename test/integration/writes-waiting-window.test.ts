import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { proposeAndConfirm, waitForOperation } from '#test/helpers/operations.ts';

const ana = { sub: 'ana', roles: ['support'] };

// Its own local mode: the handlers read their settings once per process, as on Lambda.
describe('a queued write whose system stays down for the whole waiting window', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    // A two-second window stands in for the default 24 hours, with the same schedule.
    local = await startLocalHarness(
      {},
      { writeQueueVisibilitySeconds: 1, writeWait: { windowSeconds: 2, firstDelaySeconds: 1 } },
    );
  });
  afterAll(() => local.stop());

  it('ends rolled back with an error saying so, sends nothing, and leaves the dead-letter queue empty', async () => {
    // Arrange
    await local.faults('mail', { down: true });
    // Act
    const { operationId } = await proposeAndConfirm(
      local,
      'send_email',
      {
        // Support writes to the customer's own CRM contacts only (infra/policy/email.cedar)
        to: ['liam.meyer61@northwindtraders.example'],
        customerId: 'C-00021',
        subject: 'Never sent',
        body: 'The mail system is down for good.',
      },
      ana,
    );
    const done = await waitForOperation(local, operationId, ana, { timeoutMs: 30_000 });
    await local.faults('mail', null);
    // Assert
    expect(done).toMatchObject({
      status: 'rolled_back',
      steps: [{ name: 'send', status: 'pending', attempts: 0 }],
      error: {
        code: 'upstream_unavailable',
        message: expect.stringContaining('stayed unavailable for 2 seconds'),
      },
    });
    expect(done.error.message).toContain('nothing was written');
    const outbox = (await (await fetch(`${local.sandboxes.mail}/_sandbox/outbox`)).json()) as {
      messages: { subject: string }[];
    };
    expect(outbox.messages.filter((message) => message.subject === 'Never sent')).toHaveLength(0);
    const sqs = new SQSClient({
      endpoint: local.emulators.sqs,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      useQueueUrlAsEndpoint: false,
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: local.queues.deadLetter,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    sqs.destroy();
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });
});
