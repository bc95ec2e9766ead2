import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { LocalSecretsFile } from '#layers/secrets/file-secret-provider.ts';
import type { ChatChannelName, ChatWebhookKeys } from './sandboxes/chat.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SLACK_PATH = /^\/services\/([^/]+)\/([^/]+)\/([^/]+)$/;
const TEAMS_PATH = /^\/workflows\/([^/]+)\/triggers\/manual\/paths\/invoke$/;

/** The `url` of a chat's entry under `notifications` in the local secrets file, if any. */
const urlOf = (secrets: LocalSecretsFile, channel: ChatChannelName): URL | undefined => {
  const url = (secrets.notifications[channel] as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' && URL.canParse(url) ? new URL(url) : undefined;
};

/** A chat's URL that local mode may point at its sandbox: absent, or on this machine. */
const local = (url: URL | undefined) => url === undefined || LOOPBACK.has(url.hostname);

const random = (bytes: number) => randomBytes(bytes).toString('base64url').replaceAll('-', 'x');

/**
 * The keys the chat sandbox answers: those of the local secrets file's chat webhooks when they
 * point at this machine (so they stay the same from one start to the next), new ones otherwise.
 *
 * @example
 * const chat = await startChatSandbox({ keys: chatKeysOf(secrets) });
 */
export function chatKeysOf(secrets: LocalSecretsFile): ChatWebhookKeys {
  const slackUrl = urlOf(secrets, 'slack');
  const [, team, channel, token] =
    (slackUrl && local(slackUrl) && SLACK_PATH.exec(slackUrl.pathname)) || [];
  const teamsUrl = urlOf(secrets, 'teams');
  const [, workflow] = (teamsUrl && local(teamsUrl) && TEAMS_PATH.exec(teamsUrl.pathname)) || [];
  const sig = teamsUrl?.searchParams.get('sig');
  return {
    slack:
      team && channel && token
        ? { team, channel, token }
        : { team: 'T0LOCAL01', channel: 'B0LOCAL01', token: random(18) },
    teams:
      workflow && sig
        ? { workflow, sig }
        : { workflow: randomBytes(16).toString('hex'), sig: random(32) },
  };
}

/**
 * Points the chats' webhooks of the local secrets file (`notifications.slack.url`,
 * `notifications.teams.url`) at the chat sandbox, leaving alone one that names another host (a
 * real Slack or Teams webhook someone put there), and writes the file when that changed it.
 */
export async function pointChatWebhooks(
  path: string,
  secrets: LocalSecretsFile,
  sandboxUrls: Readonly<Record<ChatChannelName, string>>,
): Promise<void> {
  let changed = false;
  for (const channel of Object.keys(sandboxUrls) as ChatChannelName[]) {
    if (!local(urlOf(secrets, channel))) continue;
    const url = sandboxUrls[channel];
    if ((secrets.notifications[channel] as { url?: unknown } | undefined)?.url === url) continue;
    secrets.notifications[channel] = { url };
    changed = true;
  }
  if (changed) await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
}
