import * as z from 'zod';

/** A rate written `<requests>/<seconds>` (e.g. `100/10`), or `off`. */
export type RateLimitSetting = { requests: number; perSeconds: number } | 'off';

/** A breaker written `<failure rate>/<minimum calls>/<window seconds>` (e.g. `0.5/10/30`), or `off`. */
export type BreakerSetting =
  | { failureRate: number; minimumCalls: number; windowMs: number }
  | 'off';

const RATE = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/;
const BREAKER = /^(\d*\.?\d+)\/(\d+)\/(\d+)$/;

/**
 * `<requests>/<seconds>` or `off`, the one syntax of every rate setting (per user, per system, CDK
 * context); undefined when it is neither.
 *
 * @example
 * parseRateLimit('100/10'); // { requests: 100, perSeconds: 10 }
 */
export function parseRateLimit(value: string | undefined): RateLimitSetting | undefined {
  if (value?.trim() === 'off') return 'off';
  const match = RATE.exec(value ?? '');
  if (!match) return undefined;
  const limit = { requests: Number(match[1]), perSeconds: Number(match[2]) };
  return limit.requests > 0 && limit.perSeconds > 0 ? limit : undefined;
}

/** The zod form of a rate setting, for settings parsed with the others. */
export const rateLimitSetting = z.string().transform((value, ctx) => {
  const limit = parseRateLimit(value);
  if (limit) return limit;
  ctx.addIssue({
    code: 'custom',
    message: 'write it as <requests>/<seconds>, e.g. 300/60, or off',
  });
  return z.NEVER;
});

function parseBreaker(value: string): BreakerSetting | undefined {
  if (value.trim() === 'off') return 'off';
  const match = BREAKER.exec(value.trim());
  if (!match) return undefined;
  return {
    failureRate: Number(match[1]),
    minimumCalls: Number(match[2]),
    windowMs: Number(match[3]) * 1000,
  };
}

/** What the environment says about one business system. */
export interface SystemSettings {
  baseUrl?: string;
  secretId?: string;
  tokenUrl?: string;
  /** A database system reached with IAM database authentication as this user, not the secret's password. */
  dbIamUser?: string;
  timeoutMs?: number;
  rateLimit?: RateLimitSetting;
  breaker?: BreakerSetting;
  /**
   * `user`: calls carry the calling user's token (per-user credentials); `exchange`: a token the
   * identity provider exchanged for the caller's own; `service`: the secret's.
   */
  credential?: 'service' | 'user' | 'exchange';
  /** With `exchange`: the audience asked for (RFC 8693 `audience`, and `resource` if a URI). */
  exchangeAudience?: string;
  /** With `exchange`: the scopes asked for (Entra ID: `api://<app id>/.default`). */
  exchangeScope?: string;
  /** The gateway's OAuth client id at the system, for users' connections. */
  oauthClientId?: string;
}

const name = (systemId: string, setting: string) => `SYSTEM_${systemId.toUpperCase()}_${setting}`;

/** The environment variables of a system's settings, as CDK and local mode write them. */
export const systemSettingNames = {
  baseUrl: (systemId: string) => name(systemId, 'BASE_URL'),
  secretId: (systemId: string) => name(systemId, 'SECRET_ID'),
  tokenUrl: (systemId: string) => name(systemId, 'TOKEN_URL'),
  dbIamUser: (systemId: string) => name(systemId, 'DB_IAM_USER'),
  timeoutMs: (systemId: string) => name(systemId, 'TIMEOUT_MS'),
  rateLimit: (systemId: string) => name(systemId, 'RATE_LIMIT'),
  breaker: (systemId: string) => name(systemId, 'BREAKER'),
  credential: (systemId: string) => name(systemId, 'CREDENTIAL'),
  oauthClientId: (systemId: string) => name(systemId, 'OAUTH_CLIENT_ID'),
  exchangeAudience: (systemId: string) => name(systemId, 'EXCHANGE_AUDIENCE'),
  exchangeScope: (systemId: string) => name(systemId, 'EXCHANGE_SCOPE'),
} as const;

/**
 * Reads every system's settings once, at cold start, and reports every malformed one at once: a
 * misconfigured system fails the function's start, never its first call. A system the function
 * has no settings for is simply absent (whether a tool may use it is checked where it is used).
 *
 * @example
 * const settings = parseSystemSettings(process.env, ['crm', 'erp']);
 * settings.get('crm')?.rateLimit; // { requests: 100, perSeconds: 10 }
 */
export function parseSystemSettings(
  source: Readonly<Record<string, string | undefined>>,
  systemIds: readonly string[],
): ReadonlyMap<string, SystemSettings> {
  const problems: string[] = [];
  const settings = new Map<string, SystemSettings>();
  for (const systemId of systemIds) {
    const read = (key: keyof typeof systemSettingNames) =>
      source[systemSettingNames[key](systemId)]?.trim() || undefined;
    const found: SystemSettings = {};
    const baseUrl = read('baseUrl');
    if (baseUrl) found.baseUrl = baseUrl;
    const secretId = read('secretId');
    if (secretId) found.secretId = secretId;
    for (const key of ['baseUrl', 'tokenUrl'] as const) {
      const url = read(key);
      if (url && !URL.canParse(url))
        problems.push(`${systemSettingNames[key](systemId)} must be an absolute URL`);
    }
    const tokenUrl = read('tokenUrl');
    if (tokenUrl) found.tokenUrl = tokenUrl;
    const dbIamUser = read('dbIamUser');
    if (dbIamUser && /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(dbIamUser)) found.dbIamUser = dbIamUser;
    else if (dbIamUser)
      problems.push(`${systemSettingNames.dbIamUser(systemId)} must be a database user name`);
    const timeout = read('timeoutMs');
    if (timeout !== undefined) {
      const timeoutMs = Number(timeout);
      if (Number.isInteger(timeoutMs) && timeoutMs > 0) found.timeoutMs = timeoutMs;
      else
        problems.push(`${systemSettingNames.timeoutMs(systemId)} must be a positive number of ms`);
    }
    const rate = read('rateLimit');
    if (rate !== undefined) {
      const rateLimit = parseRateLimit(rate);
      if (rateLimit) found.rateLimit = rateLimit;
      else
        problems.push(
          `${systemSettingNames.rateLimit(systemId)} must be <requests>/<seconds> (e.g. 100/10) or off`,
        );
    }
    const breakerSetting = read('breaker');
    if (breakerSetting !== undefined) {
      const breaker = parseBreaker(breakerSetting);
      if (breaker) found.breaker = breaker;
      else
        problems.push(
          `${systemSettingNames.breaker(systemId)} must be <failure rate>/<minimum calls>/<window seconds> (e.g. 0.5/10/30) or off`,
        );
    }
    const credential = read('credential');
    if (credential === 'service' || credential === 'user' || credential === 'exchange')
      found.credential = credential;
    else if (credential !== undefined)
      problems.push(`${systemSettingNames.credential(systemId)} must be service, user or exchange`);
    const exchangeAudience = read('exchangeAudience');
    if (exchangeAudience) found.exchangeAudience = exchangeAudience;
    const exchangeScope = read('exchangeScope');
    if (exchangeScope) found.exchangeScope = exchangeScope;
    const oauthClientId = read('oauthClientId');
    if (oauthClientId) found.oauthClientId = oauthClientId;
    if (found.credential === 'user' && !oauthClientId)
      problems.push(
        `${systemSettingNames.oauthClientId(systemId)} must be set when ${systemSettingNames.credential(systemId)} is user`,
      );
    if (Object.keys(found).length > 0) settings.set(systemId, found);
  }
  // Thrown at cold start, where only operators read it: the function does not start.
  if (problems.length > 0) throw new Error(`Invalid system settings: ${problems.join('; ')}`);
  return settings;
}
