/**
 * When a token stops being handed out: `marginMs` before it expires, or a tenth of its life when
 * that is shorter (a token of one minute is not renewed after six seconds).
 *
 * @example
 * renewAt({ expiresAt: 1_000_000, issuedAt: 0 }, 60_000); // 940000
 */
export function renewAt(token: { expiresAt: number; issuedAt?: number }, marginMs: number): number {
  const life = token.issuedAt === undefined ? Infinity : token.expiresAt - token.issuedAt;
  return token.expiresAt - Math.min(marginMs, life / 10);
}

/**
 * An instance's tokens by key (a user at a system), each handed out until a given time, with one
 * fetch in flight per key: callers that miss together share the fetch the first one started.
 *
 * @example
 * const cache = new TokenCache();
 * const token = await cache.get('crm\nana', undefined, async () => {
 *   const fresh = await exchange();
 *   cache.remember('crm\nana', fresh.accessToken, renewAt(fresh, 60_000));
 *   return fresh.accessToken;
 * });
 */
export class TokenCache {
  readonly #now: () => number;
  readonly #entries = new Map<string, { token: string; until: number }>();
  readonly #inflight = new Map<string, Promise<string>>();

  /** @param now - @default Date.now */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * The cached token of `key` while it lasts and is not `rejected` (one the system refused), else
   * the one `fetch` gets; `fetch` remembers what it got. A fetch already under way for the key is
   * shared, not repeated.
   */
  get(key: string, rejected: string | undefined, fetch: () => Promise<string>): Promise<string> {
    const cached = this.#entries.get(key);
    if (cached && cached.token !== rejected && cached.until > this.#now())
      return Promise.resolve(cached.token);
    const inflight = this.#inflight.get(key);
    if (inflight) return inflight;
    const work = fetch().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, work);
    return work;
  }

  /** Hands `token` out for `key` until `until` (epoch ms). */
  remember(key: string, token: string, until: number): void {
    this.#entries.set(key, { token, until });
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }
}
