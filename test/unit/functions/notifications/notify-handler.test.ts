import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningChatSandbox, startChatSandbox } from '#local/sandboxes/chat.ts';
import { fakeContext, snsEvent } from '#test/helpers/lambda.ts';
import { approvalWaiting, chatMessages } from '#test/helpers/notifications.ts';

describe('the notify function', () => {
  let chat: RunningChatSandbox;
  let dir: string;

  beforeAll(async () => {
    chat = await startChatSandbox({
      keys: {
        slack: { team: 'T1', channel: 'B1', token: 'slack-token' },
        teams: { workflow: 'abc', sig: 'teams-sig' },
      },
    });
    dir = await mkdtemp(join(tmpdir(), 'toolgate-notify-'));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await chat.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts the notification of an SNS event to each chat whose webhook secret is set, from its cold start settings', async () => {
    // Arrange: the function's environment, as the CDK app or local mode sets it
    const secretsFile = join(dir, 'secrets.local.json');
    await writeFile(
      secretsFile,
      JSON.stringify({
        systems: {},
        notifications: {
          slack: { url: chat.webhookUrls.slack },
          teams: { url: chat.webhookUrls.teams },
        },
      }),
    );
    vi.stubEnv('SECRETS_SOURCE', 'file');
    vi.stubEnv('LOCAL_SECRETS_FILE', secretsFile);
    vi.stubEnv('SLACK_WEBHOOK_SECRET_ID', 'notifications/slack');
    vi.stubEnv('TEAMS_WEBHOOK_SECRET_ID', 'notifications/teams');
    vi.resetModules();
    const { handler } = await import('#functions/notifications/notify/handler.ts');
    const notification = approvalWaiting();

    // Act
    await handler(snsEvent(notification), fakeContext({ functionName: 'notify' }));

    // Assert
    const messages = await chatMessages(chat.url);
    expect(messages.map((message) => message.channel).sort()).toEqual(['slack', 'teams']);
    expect(JSON.stringify(messages)).toContain(notification.approveUrl);
  });
});
