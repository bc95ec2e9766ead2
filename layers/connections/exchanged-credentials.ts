import type { Authenticator } from '../connectors/authenticator.ts';
import type { SystemDefinition } from '../connectors/system-definition.ts';
import { ExchangeRefusedError } from '../errors/index.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import { renewAt, TokenCache } from './token-cache.ts';
import type { ExchangeTarget, TokenExchanger } from './token-exchange.ts';

/** A system called with a token exchanged for the caller's own, and what it is asked for. */
export interface ExchangeSystem {
  system: SystemDefinition;
  target: ExchangeTarget;
}

export interface ExchangedCredentialsOptions {
  /** The systems the deployment calls with exchanged tokens, by id. */
  systems: ReadonlyMap<string, ExchangeSystem>;
  exchanger: TokenExchanger;
  logger: Pick<ToolLogger, 'info'>;
  /** @default Date.now */
  now?: () => number;
  /** A token is exchanged again this long before it expires, at most a tenth of its life. @default 30000 */
  marginMs?: number;
}

/**
 * Users' tokens at the systems called with token exchange (RFC 8693 or Entra ID on-behalf-of):
 * the caller's own access token is exchanged at the identity provider for one whose audience is
 * the system, so no user connects anything. Exchanged tokens are kept per user and system until
 * shortly before they expire, with one exchange in flight per user and system.
 *
 * @example
 * const exchanged = new ExchangedCredentials({ systems, exchanger, logger });
 * const auth = exchanged.authenticatorFor('crm', 'ana', bearerTokenOfTheCall);
 */
export class ExchangedCredentials {
  readonly #options: ExchangedCredentialsOptions;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #cache: TokenCache;

  constructor(options: ExchangedCredentialsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.marginMs ?? 30_000;
    this.#cache = new TokenCache(this.#now);
  }

  /** Whether calls to the system carry a token exchanged for the caller's. */
  covers(systemId: string): boolean {
    return this.#options.systems.has(systemId);
  }

  /**
   * The per-call authenticator of a user at a system: the exchange goes through the call's own
   * fetch (its deadline, retries and breaker); a 401 from the system makes the next `headers`
   * exchange again.
   */
  authenticatorFor(systemId: string, sub: string, subjectToken: string | undefined): Authenticator {
    let used: string | undefined;
    let rejected: string | undefined;
    return {
      headers: async (call) => {
        used = await this.#cache.get(`${systemId}\n${sub}`, rejected, () =>
          this.#exchange(systemId, sub, subjectToken, call.fetchToken),
        );
        return { authorization: `Bearer ${used}` };
      },
      invalidate: () => {
        rejected = used;
      },
    };
  }

  async #exchange(
    systemId: string,
    sub: string,
    subjectToken: string | undefined,
    fetch: (url: string, init: RequestInit) => Promise<Response>,
  ): Promise<string> {
    const found = this.#options.systems.get(systemId);
    if (!found) throw new Error(`${systemId} is not called with token exchange`);
    const name = found.system.displayName;
    // A confirmed write's saga step runs later, without the caller's token: nothing to exchange.
    if (!subjectToken)
      throw new ExchangeRefusedError(
        `Calls to ${name} run with a token exchanged for the caller's own, and this call carries none (a confirmed write runs after the caller's request has ended). Call ${name} directly with a user's token, or ask an operator to call it with the service credential.`,
      );
    const tokens = await this.#options.exchanger.exchange(subjectToken, found.target, fetch);
    this.#cache.remember(
      `${systemId}\n${sub}`,
      tokens.accessToken,
      renewAt(tokens, this.#marginMs),
    );
    this.#options.logger.info('token exchanged for a system', { system: systemId, sub });
    return tokens.accessToken;
  }
}
