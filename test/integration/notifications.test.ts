import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEnv } from '#layers/config/env.ts';
import { notifierFrom } from '#layers/notifications/from-env.ts';
import type { Notifier } from '#layers/notifications/notifier.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import {
  approvalWaiting,
  type ChatMessage,
  chatMessages,
  HOSTILE_TEXT,
  operationFailed,
} from '#test/helpers/notifications.ts';
import { sandboxCalls } from '#test/helpers/operations.ts';
import { eventually } from '#test/helpers/webhooks.ts';

describe('notifications in local mode', () => {
  let local: LocalHarness;
  let notifier: Notifier;
  const warnings: unknown[] = [];

  beforeAll(async () => {
    local = await startLocalHarness();
    // The notifier a function of local mode builds from its environment: it publishes to the
    // local stand-in for the SNS topic, which invokes the notify function as SNS would.
    notifier = notifierFrom(parseEnv(local.functionEnv), {
      logger: { warn: (...args: unknown[]) => void warnings.push(args) },
    });
  });
  afterAll(async () => {
    await local.stop();
  });
  beforeEach(async () => {
    await fetch(`${local.chat}/_sandbox/messages`, { method: 'DELETE' });
    await fetch(`${local.chat}/_sandbox/faults`, { method: 'DELETE' });
  });

  /** Waits until the chat sandbox holds a message for each of the channels. */
  const delivered = (channels: readonly ChatMessage['channel'][]) =>
    eventually(`messages on ${channels.join(' and ')}`, async () => {
      const messages = await chatMessages(local.chat);
      return channels.every((channel) => messages.some((message) => message.channel === channel))
        ? messages
        : undefined;
    });

  it('points the Slack and Teams webhooks of the local secrets file at the chat sandbox', async () => {
    const secrets = JSON.parse(await readFile(local.secretsFile, 'utf8'));

    expect(secrets.notifications.slack.url).toMatch(
      new RegExp(`^${local.chat}/services/[^/]+/[^/]+/[^/]+$`),
    );
    expect(secrets.notifications.teams.url).toMatch(
      new RegExp(`^${local.chat}/workflows/[^/]+/triggers/manual/paths/invoke\\?.*sig=`),
    );
  });

  it('brings a waiting approval, published to the topic, to Slack and Teams', async () => {
    const notification = approvalWaiting({
      approveUrl: `${local.url}/console/approvals/cf_local_1`,
      reason: HOSTILE_TEXT,
    });

    await notifier.notify(notification);

    const messages = await delivered(['slack', 'teams']);
    expect(messages).toHaveLength(2);
    const slack = messages.find((message) => message.channel === 'slack');
    expect(slack?.body.blocks[0].text.text).toBe('Approval waiting: create_order');
    expect(slack?.body.blocks.at(-1).elements[0].url).toBe(notification.approveUrl);
    expect(JSON.stringify(slack?.body)).toContain('&lt;!channel&gt;');
    const teams = messages.find((message) => message.channel === 'teams');
    expect(teams?.body.type).toBe('message');
    const card = teams?.body.attachments[0].content;
    expect(card.actions[0]).toEqual({
      type: 'Action.OpenUrl',
      title: 'Review in the console',
      url: notification.approveUrl,
    });
    expect(Date.parse(teams?.receivedAt ?? '')).not.toBeNaN();
    expect(warnings).toEqual([]);
  });

  it('brings a failed operation to the chats too', async () => {
    await notifier.notify(operationFailed());

    const messages = await delivered(['slack', 'teams']);
    expect(messages.map((message) => message.channel).sort()).toEqual(['slack', 'teams']);
    expect(messages.find((m) => m.channel === 'slack')?.body.blocks[0].text.text).toBe(
      'Operation failed: create_order',
    );
  });

  it('retries a chat that answers 503 a little, then gives up on it while the other chat gets the message', async () => {
    const before = (await sandboxCalls(local.chat, 'slack.post')).length;
    await fetch(`${local.chat}/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, status: 503, operation: 'slack.post' }),
    });

    await expect(notifier.notify(approvalWaiting())).resolves.toBeUndefined();

    await delivered(['teams']);
    await local.topics.idle();
    const slackCalls = (await sandboxCalls(local.chat, 'slack.post')).slice(before);
    expect(slackCalls.map((call) => call.status)).toEqual([503, 503, 503]);
    expect((await chatMessages(local.chat)).map((message) => message.channel)).toEqual(['teams']);
  });
});
