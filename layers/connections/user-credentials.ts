import type { Authenticator } from '../connectors/authenticator.ts';
import type { SystemDefinition } from '../connectors/system-definition.ts';
import { ConnectionRequiredError, UpstreamUnavailableError } from '../errors/index.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import type { ConnectionStore, StoredConnection } from './connection-store.ts';
import { GrantRefusedError, type UserOAuthClient, type UserTokenSet } from './oauth-client.ts';
import { renewAt, TokenCache } from './token-cache.ts';

/** A system called on behalf of users, with the gateway's OAuth client at it. */
export interface ConnectableSystem {
  system: SystemDefinition;
  oauth: UserOAuthClient;
}

/**
 * Where a user connects a system: the console's Connections page, which starts the flow with the
 * person's own session (`POST /connections/{system}`) and sends the browser on to the system.
 *
 * @example
 * connectUrlOf('https://toolgate.example.com', 'crm'); // 'https://toolgate.example.com/console/connections?connect=crm'
 */
export const connectUrlOf = (baseUrl: string, systemId: string): string =>
  `${baseUrl.replace(/\/$/, '')}/console/connections?connect=${encodeURIComponent(systemId)}`;

export interface UserCredentialsOptions {
  store: ConnectionStore;
  /** The systems the deployment calls on behalf of users, by id. */
  systems: ReadonlyMap<string, ConnectableSystem>;
  logger: Pick<ToolLogger, 'info'>;
  /** @default Date.now */
  now?: () => number;
  /** @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** A token is refreshed this long before it expires, at most a tenth of its life. @default 60000 */
  marginMs?: number;
  /**
   * How long the instance uses a token without looking at the store again: a connection revoked
   * elsewhere stops being used here within it. @default 30000
   */
  cacheMs?: number;
  /** How long one instance holds the right to refresh a connection. @default 10000 */
  leaseMs?: number;
  /** How often an instance that waits for another's refresh looks again. @default 100 */
  pollMs?: number;
}

/**
 * Users' access tokens for the systems called on their behalf: read from the connection store,
 * cached by the instance, and refreshed before they expire with one refresh in flight per user
 * and system (one promise per instance, and a lease in the table across instances: systems that
 * rotate refresh tokens revoke a connection whose refresh token is used twice). A refresh the
 * system refuses marks the connection broken: the call answers `connection_required`.
 *
 * @example
 * const credentials = new UserCredentials({ store, systems, logger });
 * const auth = credentials.authenticatorFor('crm', 'ana', connectUrlOf(baseUrl, 'crm'));
 */
export class UserCredentials {
  readonly #options: UserCredentialsOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #marginMs: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #cacheMs: number;
  readonly #cache: TokenCache;

  constructor(options: UserCredentialsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
    this.#marginMs = options.marginMs ?? 60_000;
    this.#leaseMs = options.leaseMs ?? 10_000;
    this.#pollMs = options.pollMs ?? 100;
    this.#cacheMs = options.cacheMs ?? 30_000;
    this.#cache = new TokenCache(this.#now);
  }

  /** Whether calls to the system carry the user's token. */
  covers(systemId: string): boolean {
    return this.#options.systems.has(systemId);
  }

  /**
   * The per-call authenticator of a user at a system: a 401 from the system makes the next
   * `headers` refresh the token it rejected (once, as for the service credential).
   */
  authenticatorFor(systemId: string, sub: string, connectUrl: string): Authenticator {
    let used: string | undefined;
    let rejected: string | undefined;
    return {
      headers: async () => {
        used = await this.accessToken(systemId, sub, connectUrl, rejected);
        return { authorization: `Bearer ${used}` };
      },
      invalidate: () => {
        rejected = used;
      },
    };
  }

  /** A usable access token of `sub` at the system, never `rejected` (one the system refused). */
  accessToken(
    systemId: string,
    sub: string,
    connectUrl: string,
    rejected?: string,
  ): Promise<string> {
    return this.#cache.get(`${systemId}\n${sub}`, rejected, () =>
      this.#resolve(systemId, sub, connectUrl, rejected),
    );
  }

  /** Forgets what the instance cached of a connection (after a revoke). */
  forget(systemId: string, sub: string): void {
    this.#cache.forget(`${systemId}\n${sub}`);
  }

  /** When a token is refreshed: `marginMs` before it expires, or a tenth of its life if shorter. */
  #refreshAt(tokens: UserTokenSet): number {
    return renewAt(tokens, this.#marginMs);
  }

  /** Used until it is due for refresh, looking at the store again after `cacheMs` at the latest. */
  #remember(key: string, tokens: UserTokenSet): void {
    this.#cache.remember(
      key,
      tokens.accessToken,
      Math.min(this.#refreshAt(tokens), this.#now() + this.#cacheMs),
    );
  }

  #connectable(systemId: string): ConnectableSystem {
    const found = this.#options.systems.get(systemId);
    if (!found) throw new Error(`${systemId} is not called on behalf of users`);
    return found;
  }

  #required(systemId: string, connectUrl: string, broken: boolean): ConnectionRequiredError {
    const name = this.#connectable(systemId).system.displayName;
    return new ConnectionRequiredError(
      broken
        ? `${name} refused your stored connection (it was revoked or has expired), so it is marked broken. Ask the user to open ${connectUrl} to connect again, then call again.`
        : `Calls to ${name} run with the user's own ${name} permissions, and the user has not connected it yet. Ask the user to open ${connectUrl} to connect (once), then call again.`,
      connectUrl,
    );
  }

  async #resolve(
    systemId: string,
    sub: string,
    connectUrl: string,
    rejected: string | undefined,
  ): Promise<string> {
    const { store } = this.#options;
    // Three looks at most: the connection as read, after another instance's refresh, once more.
    for (let look = 0; look < 3; look++) {
      const connection = await store.get(sub, systemId);
      const tokens = connection?.tokens;
      if (!connection || connection.status === 'broken' || !tokens)
        throw this.#required(systemId, connectUrl, connection?.status === 'broken');
      if (tokens.accessToken !== rejected && this.#refreshAt(tokens) > this.#now()) {
        this.#remember(`${systemId}\n${sub}`, tokens);
        return tokens.accessToken;
      }
      if (!tokens.refreshToken) {
        await store.markBroken(sub, systemId);
        throw this.#required(systemId, connectUrl, true);
      }
      const now = this.#now();
      if (await store.claimRefresh(sub, systemId, now + this.#leaseMs, now))
        return this.#refresh(systemId, connection, tokens.refreshToken, connectUrl);
      await this.#waitForRefresh(connection);
    }
    throw new UpstreamUnavailableError(
      `${this.#connectable(systemId).system.displayName} did not renew your access in time. Try again in a few seconds.`,
    );
  }

  /** Another instance holds the lease: wait until its refresh lands, or its lease runs out. */
  async #waitForRefresh(seen: StoredConnection): Promise<void> {
    const until = this.#now() + this.#leaseMs;
    while (this.#now() < until) {
      await this.#sleep(this.#pollMs);
      const again = await this.#options.store.get(seen.sub, seen.system);
      if (!again || again.version !== seen.version || again.lease === undefined) return;
    }
  }

  async #refresh(
    systemId: string,
    connection: StoredConnection,
    refreshToken: string,
    connectUrl: string,
  ): Promise<string> {
    const { store, logger } = this.#options;
    const { sub } = connection;
    let tokens: UserTokenSet;
    try {
      tokens = await this.#connectable(systemId).oauth.refresh(refreshToken);
    } catch (error) {
      if (error instanceof GrantRefusedError) {
        this.forget(systemId, sub);
        await store.markBroken(sub, systemId);
        logger.info('user connection refused at refresh; marked broken', {
          system: systemId,
          sub,
        });
        throw this.#required(systemId, connectUrl, true);
      }
      await store.release(sub, systemId);
      throw error;
    }
    // A system that does not rotate refresh tokens keeps the one it had.
    const next: UserTokenSet = { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
    await store.refreshed(sub, systemId, next, new Date(this.#now()));
    this.#remember(`${systemId}\n${sub}`, next);
    logger.info('user connection refreshed', { system: systemId, sub });
    return next.accessToken;
  }
}
