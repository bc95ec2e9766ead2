import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatKeysOf } from '#local/chat-webhooks.ts';
import { type RunningChatSandbox, startChatSandbox } from '#local/sandboxes/chat.ts';
import { call } from './support.ts';

const keys = {
  slack: { team: 'T0LOCAL01', channel: 'B0LOCAL01', token: 'slack-token-123' },
  teams: { workflow: '0123456789abcdef0123456789abcdef', sig: 'teams-sig-456' },
};

/** Posts a body as a webhook sender does and returns the status and the raw answer. */
const post = async (url: string, body: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, text: await response.text() };
};

describe('startChatSandbox', () => {
  let chat: RunningChatSandbox;
  const messages = async () => (await call(`${chat.url}/_sandbox/messages`)).body.messages;

  beforeAll(async () => {
    chat = await startChatSandbox({ keys });
  });
  afterAll(() => chat.close());
  beforeEach(() => call(`${chat.url}/_sandbox/messages`, { method: 'DELETE' }));

  it('hands out webhook URLs shaped like Slack’s and a Teams workflow trigger’s', () => {
    expect(chat.webhookUrls.slack).toBe(`${chat.url}/services/T0LOCAL01/B0LOCAL01/slack-token-123`);
    const teams = new URL(chat.webhookUrls.teams);
    expect(teams.pathname).toBe(
      '/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke',
    );
    expect(teams.searchParams.get('sig')).toBe('teams-sig-456');
  });

  it('answers a Slack post `200 ok` and records it with its channel, body and time', async () => {
    const body = {
      text: 'fallback',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Hi' } }],
    };

    const answer = await post(chat.webhookUrls.slack, JSON.stringify(body));

    expect(answer).toEqual({ status: 200, text: 'ok' });
    const [message, ...more] = await messages();
    expect(more).toEqual([]);
    expect(message).toMatchObject({ channel: 'slack', body });
    expect(Date.parse(message.receivedAt)).not.toBeNaN();
  });

  it('answers a Teams post `202` without a body and records it', async () => {
    const body = { type: 'message', attachments: [] };

    const answer = await post(chat.webhookUrls.teams, JSON.stringify(body));

    expect(answer).toEqual({ status: 202, text: '' });
    expect(await messages()).toMatchObject([{ channel: 'teams', body }]);
  });

  it('refuses, as the vendors do, a wrong key or a body it cannot post, and records none of them', async () => {
    const slack = chat.webhookUrls.slack;
    const cases = [
      [slack.replace('slack-token-123', 'wrong'), '{"text":"x"}', 403, 'invalid_token'],
      [slack.replace('B0LOCAL01', 'B0OTHER01'), '{"text":"x"}', 404, 'no_service'],
      [slack, '{"attachments":[]}', 400, 'no_text'],
      [slack, '{"blocks":{"type":"header"}}', 400, 'invalid_blocks'],
      [slack, '[1,2]', 400, 'invalid_payload'],
    ] as const;
    for (const [url, body, status, text] of cases)
      expect(await post(url, body), text).toEqual({ status, text });
    const teams = await post(chat.webhookUrls.teams.replace('teams-sig-456', 'forged'), '{}');
    expect(teams.status).toBe(401);
    expect(JSON.parse(teams.text).error.code).toBe('DirectApiInvalidAuthorizationSignature');

    expect(await messages()).toEqual([]);
  });

  it('answers with an injected fault, recording nothing, while the fault switch is on', async () => {
    await call(`${chat.url}/_sandbox/faults`, {
      method: 'PUT',
      body: { errorRate: 1, status: 503, operation: 'teams.post' },
    });

    const teams = await post(chat.webhookUrls.teams, '{"type":"message"}');
    const slack = await post(chat.webhookUrls.slack, '{"text":"x"}');

    await call(`${chat.url}/_sandbox/faults`, { method: 'DELETE' });
    expect([teams.status, slack.status]).toEqual([503, 200]);
    expect((await messages()).map((m: { channel: string }) => m.channel)).toEqual(['slack']);
  });
});

describe('chatKeysOf', () => {
  it('keeps the keys of chat webhooks on this machine and makes new ones for any other', () => {
    const file = {
      systems: {},
      webhooks: {},
      notifications: {
        slack: { url: 'http://127.0.0.1:3005/services/T1/B1/kept-token' },
        teams: {
          url: 'https://prod-1.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=real',
        },
      },
    };

    const found = chatKeysOf(file);

    expect(found.slack).toEqual({ team: 'T1', channel: 'B1', token: 'kept-token' });
    expect(found.teams.sig).not.toBe('real');
    expect(found.teams.workflow).toMatch(/^[0-9a-f]{32}$/);
    expect(chatKeysOf({ ...file, notifications: {} }).slack.token).not.toBe(
      chatKeysOf({ ...file, notifications: {} }).slack.token,
    );
  });
});
