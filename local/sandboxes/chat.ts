import { timingSafeEqual } from 'node:crypto';
import { type Reply, type RunningSandbox, startSandbox } from './server.ts';

export type ChatChannelName = 'slack' | 'teams';

/** A message a chat received and posted. */
export interface ReceivedMessage {
  channel: ChatChannelName;
  /** The JSON body, as received. */
  body: unknown;
  receivedAt: string;
}

/**
 * The secret part of each webhook URL the sandbox answers, as the vendors hand them out: Slack's
 * `/services/T…/B…/<token>`, and the Workflows trigger's `sig` query parameter.
 */
export interface ChatWebhookKeys {
  slack: { team: string; channel: string; token: string };
  teams: { workflow: string; sig: string };
}

export interface RunningChatSandbox extends RunningSandbox {
  /** The incoming-webhook URLs it answers, with their keys. */
  readonly webhookUrls: Readonly<Record<ChatChannelName, string>>;
}

const MAX_MESSAGES = 200;

const equal = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

const slackError = (status: number, code: string): Reply => ({ status, text: code });
const teamsError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The chat sandbox: a Slack incoming webhook and a Microsoft Teams Workflows webhook trigger that
 * record what they are sent instead of posting it (`GET /_sandbox/messages`), so a person can read
 * the notifications local mode sends and tests can check them. Each answers as its vendor does:
 * Slack `200 ok`, or `400 no_text`/`invalid_blocks`, `403 invalid_token` for a wrong token;
 * Teams `202` without a body, or `401` for a wrong `sig`. The fault switches of every sandbox
 * apply (operations `slack.post`, `teams.post`).
 *
 * @example
 * const chat = await startChatSandbox({ keys });
 * await fetch(chat.webhookUrls.slack, { method: 'POST', body: JSON.stringify({ text: 'hi' }) });
 * await (await fetch(`${chat.url}/_sandbox/messages`)).json(); // { messages: [{ channel: 'slack', … }] }
 */
export async function startChatSandbox(options: {
  port?: number;
  host?: string;
  keys: ChatWebhookKeys;
}): Promise<RunningChatSandbox> {
  const { slack, teams } = options.keys;
  const messages: ReceivedMessage[] = [];
  const record = (channel: ChatChannelName, body: unknown) => {
    messages.push({ channel, body, receivedAt: new Date().toISOString() });
    if (messages.length > MAX_MESSAGES) messages.shift();
  };
  const running = await startSandbox(
    {
      name: 'chat',
      routes: [
        {
          method: 'POST',
          path: '/services/{team}/{channel}/{token}',
          operation: 'slack.post',
          authenticated: false,
          handle: ({ params, body }) => {
            if (
              !equal(params.team ?? '', slack.team) ||
              !equal(params.channel ?? '', slack.channel)
            )
              return slackError(404, 'no_service');
            if (!equal(params.token ?? '', slack.token)) return slackError(403, 'invalid_token');
            if (!isObject(body)) return slackError(400, 'invalid_payload');
            const { text, blocks } = body;
            if (blocks !== undefined) {
              const valid =
                Array.isArray(blocks) &&
                blocks.every((block) => isObject(block) && typeof block.type === 'string');
              if (!valid) return slackError(400, 'invalid_blocks');
            } else if (typeof text !== 'string' || text === '') return slackError(400, 'no_text');
            record('slack', body);
            return { status: 200, text: 'ok' };
          },
        },
        {
          method: 'POST',
          path: '/workflows/{workflow}/triggers/manual/paths/invoke',
          operation: 'teams.post',
          authenticated: false,
          handle: ({ params, query, body }) => {
            if (!equal(params.workflow ?? '', teams.workflow))
              return teamsError(404, 'WorkflowNotFound', 'The workflow could not be found.');
            if (!equal(query.get('sig') ?? '', teams.sig))
              return teamsError(
                401,
                'DirectApiInvalidAuthorizationSignature',
                'The provided request signature is not valid.',
              );
            if (!isObject(body))
              return teamsError(400, 'InvalidRequestContent', 'The request body must be JSON.');
            record('teams', body);
            return { status: 202 };
          },
        },
      ],
      authenticate: () => undefined,
      errorReply: (status, message) =>
        ({ status, body: { error: { code: 'Error', message } } }) satisfies Reply,
      control(method, path) {
        if (path !== '/_sandbox/messages') return undefined;
        if (method === 'DELETE') messages.length = 0;
        else if (method !== 'GET') return { status: 405, body: { error: 'Use GET or DELETE' } };
        return { status: 200, body: { messages } };
      },
    },
    {
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host ? { host: options.host } : {}),
    },
  );
  return {
    ...running,
    webhookUrls: {
      slack: `${running.url}/services/${slack.team}/${slack.channel}/${slack.token}`,
      teams: `${running.url}/workflows/${teams.workflow}/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${teams.sig}`,
    },
  };
}
