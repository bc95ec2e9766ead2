import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An AppConfig configuration's identifiers (names; AppConfig accepts names or ids). */
export interface AppConfigIds {
  application: string;
  environment: string;
  profile: string;
}

export interface AppConfigEmulator {
  /** Where the AWS SDK reaches it: `AWS_ENDPOINT_URL_APPCONFIGDATA`. */
  readonly endpoint: string;
  /**
   * Deploys a configuration version (its content as AppConfig would hold it): each session's next
   * poll answers it, once.
   */
  deploy(ids: AppConfigIds, content: string, contentType?: string): void;
  close(): Promise<void>;
}

/** AppConfig's shortest session poll interval, and its default. */
const AWS_MIN_POLL_SECONDS = 15;
const DEFAULT_POLL_SECONDS = 60;

interface Deployed {
  version: number;
  content: Buffer;
  contentType: string;
}

interface Session {
  key: string;
  pollSeconds: number;
  /** The version this session's client last received (0: none yet). */
  seen: number;
  /** When the next poll may come (ms); the first poll may come at once. */
  notBefore: number;
}

const keyOf = (ids: AppConfigIds) => `${ids.application}/${ids.environment}/${ids.profile}`;

/** An error as the REST-JSON protocol carries it: the type in a header and in the body. */
function fail(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ Message: message }));
}

const bodyOf = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * AWS AppConfig's data plane (AppConfigData), embedded for local mode and tests: the two
 * operations Powertools' AppConfigProvider uses, with the service's REST shapes.
 * `POST /configurationsessions` (JSON `ApplicationIdentifier`, `EnvironmentIdentifier`,
 * `ConfigurationProfileIdentifier`, `RequiredMinimumPollIntervalInSeconds`) answers 201
 * `{"InitialConfigurationToken"}`; `GET /configuration?configuration_token=…` answers the
 * configuration as the body, or an empty body when the session already has the latest version,
 * with the `Next-Poll-Configuration-Token`, `Next-Poll-Interval-In-Seconds`, `Content-Type` and
 * `Version-Label` headers. Each token is good for one poll; a poll sooner than the session's
 * interval, or with a used or unknown token, is a 400 `BadRequestException`; an unknown
 * configuration a 404 `ResourceNotFoundException`, as AppConfig answers them.
 *
 * @example
 * const appConfig = await startAppConfigEmulator();
 * appConfig.deploy({ application: 'app', environment: 'local', profile: 'policy' }, json);
 * // AWS_ENDPOINT_URL_APPCONFIGDATA=appConfig.endpoint
 */
export async function startAppConfigEmulator(
  options: {
    /**
     * The shortest poll interval a session may ask for: AppConfig's 15 s by default; local mode
     * allows less, so a policy change is seen sooner. @default 15
     */
    minPollSeconds?: number;
    /** @default Date.now */
    now?: () => number;
  } = {},
): Promise<AppConfigEmulator> {
  const minPoll = options.minPollSeconds ?? AWS_MIN_POLL_SECONDS;
  const now = options.now ?? Date.now;
  const deployed = new Map<string, Deployed>();
  const sessions = new Map<string, Session>();
  const issue = (session: Session): string => {
    const token = `${randomUUID()}${randomUUID()}`.replace(/-/g, '');
    sessions.set(token, session);
    return token;
  };

  const startSession = async (req: IncomingMessage, res: ServerResponse) => {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse((await bodyOf(req)) || '{}') as Record<string, unknown>;
    } catch {
      return fail(res, 400, 'BadRequestException', 'The request body is not JSON.');
    }
    const { ApplicationIdentifier, EnvironmentIdentifier, ConfigurationProfileIdentifier } = input;
    const poll = input.RequiredMinimumPollIntervalInSeconds ?? DEFAULT_POLL_SECONDS;
    if (
      typeof ApplicationIdentifier !== 'string' ||
      typeof EnvironmentIdentifier !== 'string' ||
      typeof ConfigurationProfileIdentifier !== 'string'
    )
      return fail(
        res,
        400,
        'BadRequestException',
        'ApplicationIdentifier, EnvironmentIdentifier and ConfigurationProfileIdentifier are required.',
      );
    if (typeof poll !== 'number' || !Number.isInteger(poll) || poll < minPoll || poll > 86_400)
      return fail(
        res,
        400,
        'BadRequestException',
        `RequiredMinimumPollIntervalInSeconds must be a whole number from ${minPoll} to 86400.`,
      );
    const key = keyOf({
      application: ApplicationIdentifier,
      environment: EnvironmentIdentifier,
      profile: ConfigurationProfileIdentifier,
    });
    if (!deployed.has(key))
      return fail(
        res,
        404,
        'ResourceNotFoundException',
        `No configuration is deployed for ${key}.`,
      );
    const token = issue({ key, pollSeconds: poll, seen: 0, notBefore: 0 });
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ InitialConfigurationToken: token }));
  };

  const latest = (url: URL, res: ServerResponse) => {
    const token = url.searchParams.get('configuration_token') ?? '';
    const session = sessions.get(token);
    if (!session)
      return fail(
        res,
        400,
        'BadRequestException',
        'The configuration token is not valid: it was used already or never issued. Start a new session.',
      );
    const at = now();
    if (at < session.notBefore)
      return fail(
        res,
        400,
        'BadRequestException',
        `Polled ${Math.ceil((session.notBefore - at) / 1000)} s before the session's poll interval (${session.pollSeconds} s) allows.`,
      );
    sessions.delete(token);
    const current = deployed.get(session.key);
    const changed = current !== undefined && current.version !== session.seen;
    const next = issue({
      ...session,
      seen: current?.version ?? session.seen,
      notBefore: at + session.pollSeconds * 1000,
    });
    res.writeHead(200, {
      'next-poll-configuration-token': next,
      'next-poll-interval-in-seconds': String(session.pollSeconds),
      'content-type': current?.contentType ?? 'application/octet-stream',
      ...(changed ? { 'version-label': String(current.version) } : {}),
    });
    res.end(changed ? current.content : undefined);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://appconfigdata.local');
    if (req.method === 'POST' && url.pathname === '/configurationsessions') {
      startSession(req, res).catch((error: Error) =>
        fail(res, 500, 'InternalServerException', error.message),
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/configuration') return latest(url, res);
    fail(res, 404, 'UnknownOperationException', `${req.method} ${url.pathname} is not served.`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    deploy(ids, content, contentType = 'application/json') {
      const key = keyOf(ids);
      const version = (deployed.get(key)?.version ?? 0) + 1;
      deployed.set(key, { version, content: Buffer.from(content, 'utf8'), contentType });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
