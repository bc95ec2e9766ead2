import type * as OAuth from 'oauth4webapi';
import * as z from 'zod';
import {
  AppError,
  ConfigurationError,
  ExchangeRefusedError,
  UpstreamUnavailableError,
} from '../errors/index.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import type { UserTokenSet } from './oauth-client.ts';

/**
 * How the identity provider exchanges a user's token: RFC 8693 token exchange, or Microsoft Entra
 * ID's on-behalf-of flow (a JWT bearer grant with `requested_token_use=on_behalf_of`).
 */
export const tokenExchangeStyles = ['rfc8693', 'entra_obo'] as const;
export type TokenExchangeStyle = (typeof tokenExchangeStyles)[number];

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** What the token is asked for: the system, as the identity provider names it. */
export interface ExchangeTarget {
  /** RFC 8693 `audience` (e.g. `crm`); also sent as `resource` when it is an absolute URI. */
  audience?: string | undefined;
  /** Scopes, space separated; Entra ID needs one (`api://<app id>/.default`). */
  scope?: string | undefined;
}

/** The gateway's confidential client at the identity provider, as its secret holds it. */
export const exchangeClientSecretShape = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});

/** How the exchange request is sent: the same deadline and request id as the call that needs it. */
export type ExchangeFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface TokenExchanger {
  /** A token for `target` on behalf of the subject token's user; never logs or echoes a token. */
  exchange(
    subjectToken: string,
    target: ExchangeTarget,
    fetch?: ExchangeFetch,
  ): Promise<UserTokenSet>;
}

/** OAuth errors with which a provider refuses this grant for this user or client (RFC 6749 §5.2, RFC 8693 §2.2.2). */
const REFUSALS = new Set([
  'invalid_grant',
  'unauthorized_client',
  'invalid_client',
  'invalid_target',
  'invalid_scope',
  'access_denied',
  'consent_required',
  'interaction_required',
]);

/** oauth4webapi, loaded on the first exchange: functions that exchange nothing never load it. */
let library: Promise<typeof OAuth> | undefined;
const oauthLibrary = (): Promise<typeof OAuth> => {
  library ??= import('oauth4webapi');
  return library;
};

/**
 * The gateway's client for exchanging the caller's own access token at the identity provider's
 * token endpoint for a token whose audience is a system (oauth4webapi builds and checks the
 * requests). RFC 8693 authenticates with HTTP Basic, Entra ID with `client_secret` in the form,
 * as its on-behalf-of documentation shows. The client secret is read from the secret store per
 * exchange (cached there) and appears in no log, error or answer. A refusal is an
 * `ExchangeRefusedError` (403 `exchange_refused`); no answer, a 5xx or an unreadable answer is
 * the provider being unavailable (503, retried as any transient upstream failure).
 *
 * @example
 * const exchanger = tokenExchanger({ tokenUrl, style: 'rfc8693', secretId, secrets });
 * const token = await exchanger.exchange(subjectToken, { audience: 'crm' });
 */
export function tokenExchanger(options: {
  tokenUrl: string;
  style: TokenExchangeStyle;
  secretId: string;
  secrets: SecretProvider;
  /** Plain http is refused unless allowed (local mode's provider). @default false */
  allowHttp?: boolean;
  now?: () => number;
  /** Used when the call gives no fetch of its own. @default globalThis.fetch */
  fetch?: ExchangeFetch;
  timeoutMs?: number;
}): TokenExchanger {
  const now = options.now ?? Date.now;
  const server: OAuth.AuthorizationServer = {
    issuer: new URL(options.tokenUrl).origin,
    token_endpoint: options.tokenUrl,
  };

  const clientOf = async () => {
    const parsed = exchangeClientSecretShape.safeParse(
      await options.secrets.getJson(options.secretId),
    );
    if (!parsed.success)
      throw new ConfigurationError(
        'exchange_not_configured',
        "The gateway's token exchange client is not configured. An operator must fix the deployment (the details are in its logs); retrying will not help.",
        {
          operatorDetail: `the token exchange secret ${options.secretId} must hold clientId and clientSecret`,
        },
      );
    return parsed.data;
  };

  const parametersOf = (subjectToken: string, target: ExchangeTarget): URLSearchParams => {
    const parameters = new URLSearchParams();
    if (options.style === 'entra_obo') {
      parameters.set('assertion', subjectToken);
      parameters.set('requested_token_use', 'on_behalf_of');
      if (target.scope) parameters.set('scope', target.scope);
      return parameters;
    }
    parameters.set('subject_token', subjectToken);
    parameters.set('subject_token_type', ACCESS_TOKEN_TYPE);
    parameters.set('requested_token_type', ACCESS_TOKEN_TYPE);
    if (target.audience) {
      parameters.set('audience', target.audience);
      if (URL.canParse(target.audience)) parameters.set('resource', target.audience);
    }
    if (target.scope) parameters.set('scope', target.scope);
    return parameters;
  };

  return {
    async exchange(subjectToken, target, fetch) {
      const oauth = await oauthLibrary();
      const { clientId, clientSecret } = await clientOf();
      const client: OAuth.Client = { client_id: clientId };
      const authentication =
        options.style === 'entra_obo'
          ? oauth.ClientSecretPost(clientSecret)
          : oauth.ClientSecretBasic(clientSecret);
      const send = fetch ?? options.fetch ?? globalThis.fetch;
      let answer: OAuth.TokenEndpointResponse;
      try {
        const response = await oauth.genericTokenEndpointRequest(
          server,
          client,
          authentication,
          options.style === 'entra_obo' ? JWT_BEARER_GRANT : TOKEN_EXCHANGE_GRANT,
          parametersOf(subjectToken, target),
          {
            [oauth.customFetch]: (url, init) => send(url, init as RequestInit),
            [oauth.allowInsecureRequests]: options.allowHttp === true,
            signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
          },
        );
        answer = await oauth.processGenericTokenEndpointResponse(server, client, response);
      } catch (error) {
        throw refusalOrOutage(oauth, error);
      }
      const issuedAt = now();
      return {
        issuedAt,
        accessToken: answer.access_token,
        expiresAt: issuedAt + (answer.expires_in ?? 300) * 1000,
        ...(answer.scope ? { scope: answer.scope } : {}),
      };
    },
  };
}

/**
 * A refusal names the provider's OAuth error code, never its description (it may echo claims);
 * anything else keeps no cause either: oauth4webapi's errors carry the response body, which may
 * hold a token.
 */
function refusalOrOutage(oauth: typeof OAuth, error: unknown): Error {
  const refused =
    error instanceof oauth.ResponseBodyError
      ? error.status < 500 || REFUSALS.has(error.error)
        ? error.error
        : undefined
      : error instanceof oauth.WWWAuthenticateChallengeError && error.status < 500
        ? (error.cause[0]?.parameters.error ?? 'invalid_client')
        : undefined;
  if (refused)
    return new ExchangeRefusedError(
      `The identity provider refused to issue a token on your behalf for this system (${refused.slice(0, 60)}). Your sign-in may not be allowed to use it, or the gateway's client may not be permitted to exchange tokens: ask an administrator to check the identity provider's token exchange settings. Signing in again may help if your token is about to expire.`,
    );
  // The provider could not be reached through the call's fetch: say who, still retryable.
  if (error instanceof UpstreamUnavailableError)
    return new UpstreamUnavailableError(
      'The identity provider could not be reached to exchange your token. Try again in a few seconds.',
    );
  // Our own other errors (the client not configured, the call's deadline) stand.
  if (error instanceof AppError) return error;
  return new UpstreamUnavailableError(
    'The identity provider could not exchange your token right now. Try again in a few seconds.',
  );
}
