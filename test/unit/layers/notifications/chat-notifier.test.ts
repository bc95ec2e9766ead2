import { describe, expect, it } from 'vitest';
import { ChatNotifier } from '#layers/notifications/chat-notifier.ts';
import { chatNotifierFrom } from '#layers/notifications/from-env.ts';
import type { SecretProvider } from '#layers/secrets/secret-provider.ts';
import { fakeFetch, jsonResponse, type Reply } from '#test/helpers/fake-fetch.ts';
import { approvalWaiting } from '#test/helpers/notifications.ts';

const SLACK_URL = 'https://hooks.slack.com/services/T0001/B0001/slackS3cret';
const TEAMS_URL =
  'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=teamsS3cret';

/** Secrets in memory; `reads` records each read and whether it bypassed the cache. */
function memorySecrets(values: Record<string, Record<string, unknown>>) {
  const reads: { id: string; forceFetch: boolean }[] = [];
  const provider: SecretProvider = {
    async getJson(id, options = {}) {
      reads.push({ id, forceFetch: options.forceFetch ?? false });
      const value = values[id];
      if (!value) throw new Error(`no secret ${id}`);
      return value;
    },
  };
  return { provider, reads, values };
}

function recordingLogger() {
  const lines: { level: string; message: string; data: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, data: Record<string, unknown> = {}) =>
      void lines.push({ level, message, data });
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

const webhooks = [
  { channel: 'slack', secretId: 'toolgate/slack' },
  { channel: 'teams', secretId: 'toolgate/teams' },
] as const;
const noWait = { sleep: async () => undefined };

function setUp(secretValues: Record<string, Record<string, unknown>>, reply: Reply) {
  const secrets = memorySecrets(secretValues);
  const { lines, logger } = recordingLogger();
  const fake = fakeFetch(reply);
  const chats = new ChatNotifier({
    webhooks,
    secrets: secrets.provider,
    logger,
    post: { ...noWait, fetch: fake.fetch },
  });
  return { chats, secrets, lines, seen: fake.seen };
}

describe('ChatNotifier', () => {
  it('posts the Slack message to the Slack webhook and the Teams card to the Teams webhook', async () => {
    const { chats, seen, lines } = setUp(
      { 'toolgate/slack': { url: SLACK_URL }, 'toolgate/teams': { url: TEAMS_URL } },
      () => new Response('ok'),
    );

    await chats.notify(approvalWaiting());

    const byUrl = new Map(seen.map((request) => [request.url, JSON.parse(request.body ?? '')]));
    expect(byUrl.get(SLACK_URL).blocks[0]).toMatchObject({ type: 'header' });
    expect(byUrl.get(TEAMS_URL)).toMatchObject({ type: 'message' });
    expect(lines.filter((line) => line.message === 'chat notified')).toHaveLength(2);
  });

  it('skips a chat whose secret holds no url yet (the placeholder a deploy creates)', async () => {
    const { chats, seen } = setUp(
      { 'toolgate/slack': { placeholder: 'x' }, 'toolgate/teams': { url: TEAMS_URL } },
      () => new Response(null, { status: 202 }),
    );

    await chats.notify(approvalWaiting());

    expect(seen.map((request) => request.url)).toEqual([TEAMS_URL]);
  });

  it('logs a chat that cannot be reached, without its URL, and still notifies the other', async () => {
    const { chats, seen, lines } = setUp(
      { 'toolgate/slack': { url: SLACK_URL }, 'toolgate/teams': { url: TEAMS_URL } },
      (request) =>
        request.url === SLACK_URL ? new Response('', { status: 503 }) : new Response('1'),
    );

    await expect(chats.notify(approvalWaiting())).resolves.toBeUndefined();

    expect(seen.filter((request) => request.url === SLACK_URL)).toHaveLength(3);
    expect(lines).toContainEqual({
      level: 'warn',
      message: 'chat notification not delivered',
      data: {
        channel: 'slack',
        kind: 'approval_waiting',
        tool: 'create_order',
        attempts: 3,
        reason: 'status 503',
      },
    });
    expect(lines).toContainEqual(expect.objectContaining({ message: 'chat notified' }));
    expect(JSON.stringify(lines)).not.toMatch(/S3cret|hooks\.slack|logic\.azure/);
  });

  it('logs a webhook secret that is no https URL as an error naming the secret, never its value', async () => {
    const { chats, seen, lines } = setUp(
      {
        'toolgate/slack': { url: 'http://hooks.example.com/services/abcS3cret' },
        'toolgate/teams': { url: 42 },
      },
      () => new Response('ok'),
    );

    await chats.notify(approvalWaiting());

    expect(seen).toEqual([]);
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors.map((line) => line.data.operatorDetail)).toEqual([
      'secret "toolgate/slack" must hold {"url":"https://…"}, the slack incoming webhook URL',
      'secret "toolgate/teams" must hold {"url":"https://…"}, the teams incoming webhook URL',
    ]);
    expect(JSON.stringify(lines)).not.toContain('S3cret');
  });

  it('posts once more to the new URL when the webhook is gone and its secret was replaced', async () => {
    const NEW_URL = 'https://hooks.slack.com/services/T0001/B0002/newS3cret';
    const { chats, seen, secrets } = setUp(
      { 'toolgate/slack': { url: SLACK_URL }, 'toolgate/teams': { url: TEAMS_URL } },
      (request) => {
        if (request.url === SLACK_URL) {
          // The operator replaced the webhook: the old URL is gone, the secret holds the new one.
          secrets.values['toolgate/slack'] = { url: NEW_URL };
          return new Response('no_service', { status: 404 });
        }
        return new Response('ok');
      },
    );

    await chats.notify(approvalWaiting());

    expect(seen.map((request) => request.url)).toContain(NEW_URL);
    expect(secrets.reads).toContainEqual({ id: 'toolgate/slack', forceFetch: true });
  });

  it('accepts plain http only to this machine (local mode’s chat sandbox)', async () => {
    const local = 'http://127.0.0.1:3005/services/T0LOCAL/B0LOCAL/token';
    const { chats, seen } = setUp({ 'toolgate/slack': { url: local }, 'toolgate/teams': {} }, () =>
      jsonResponse(200, {}),
    );

    await chats.notify(approvalWaiting());

    expect(seen.map((request) => request.url)).toEqual([local]);
  });
});

describe('chatNotifierFrom', () => {
  it('posts only to the chats whose webhook secret id is set', async () => {
    const secrets = memorySecrets({ 'toolgate/teams': { url: TEAMS_URL } });
    const fake = fakeFetch(() => new Response('1'));

    await chatNotifierFrom(
      { TEAMS_WEBHOOK_SECRET_ID: 'toolgate/teams' },
      { secrets: secrets.provider, logger: recordingLogger().logger, post: { fetch: fake.fetch } },
    ).notify(approvalWaiting());

    expect(secrets.reads.map((read) => read.id)).toEqual(['toolgate/teams']);
    expect(fake.seen.map((request) => request.url)).toEqual([TEAMS_URL]);
  });
});
