import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { SystemDefinition, UserAuth } from '../connectors/system-definition.ts';
import { AppError, type ErrorCategory, UpstreamUnavailableError } from '../errors/index.ts';

/** A user's tokens at a system, as its token endpoint issued them. */
export interface UserTokenSet {
  accessToken: string;
  /** Absent when the system issues none: the connection ends when the access token does. */
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms; with `expiresAt`, the token's lifetime, which bounds how early it is refreshed. */
  issuedAt?: number;
  scope?: string;
}

/** The system's token endpoint refused a code or a refresh token (RFC 6749 §5.2: 400 or 401). */
export class GrantRefusedError extends AppError {
  readonly code = 'connection_refused';
  readonly statusCode = 400;
  readonly category: ErrorCategory = 'authorization';
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
});

/**
 * A PKCE pair (RFC 7636, S256): the verifier stays on the gateway, the challenge goes to the
 * authorize endpoint.
 *
 * @example
 * const { verifier, challenge } = pkcePair();
 */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The OAuth client of the gateway at one system, for users' connections. */
export interface UserOAuthClient {
  authorizeUrl(request: {
    redirectUri: string;
    state: string;
    challenge: string;
    loginHint?: string;
  }): string;
  exchangeCode(code: string, verifier: string, redirectUri: string): Promise<UserTokenSet>;
  refresh(refreshToken: string): Promise<UserTokenSet>;
  /** RFC 7009, best effort: false when the system has no revocation endpoint or failed. */
  revoke(token: string): Promise<boolean>;
}

/**
 * The gateway as a public OAuth client (authorization code + PKCE) of a system that declares
 * `userAuth`. Token requests never log or echo a token; a refused grant is a `GrantRefusedError`,
 * anything else from the token endpoint is the system being unavailable.
 *
 * @example
 * const oauth = userOAuthClient({ system: crm, baseUrl, clientId: 'toolgate' });
 * const url = oauth.authorizeUrl({ redirectUri, state, challenge });
 */
export function userOAuthClient(options: {
  system: SystemDefinition;
  userAuth: UserAuth;
  baseUrl: string;
  clientId: string;
  now?: () => number;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}): UserOAuthClient {
  const { system, userAuth, clientId } = options;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? globalThis.fetch;
  const at = (path: string) => new URL(path, options.baseUrl).toString();
  const name = system.displayName;

  const post = async (path: string, form: Record<string, string>): Promise<Response> => {
    try {
      return await doFetch(at(path), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ ...form, client_id: clientId }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw new UpstreamUnavailableError(
        `${name} could not be reached to sign you in. Try again in a few seconds.`,
        { cause: error },
      );
    }
  };

  const grant = async (form: Record<string, string>): Promise<UserTokenSet> => {
    const response = await post(userAuth.tokenPath, form);
    if (response.status === 400 || response.status === 401) {
      await response.body?.cancel();
      throw new GrantRefusedError(
        `${name} refused the ${form.grant_type === 'refresh_token' ? 'stored connection' : 'sign-in'}.`,
      );
    }
    const parsed = response.ok
      ? tokenResponse.safeParse(await response.json().catch(() => undefined))
      : undefined;
    if (!parsed?.success) {
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamUnavailableError(
        `${name} could not issue your access token right now (status ${response.status}). Try again in a few seconds.`,
      );
    }
    const { data } = parsed;
    const issuedAt = now();
    return {
      issuedAt,
      accessToken: data.access_token,
      ...(data.refresh_token ? { refreshToken: data.refresh_token } : {}),
      expiresAt: issuedAt + (data.expires_in ?? 3600) * 1000,
      ...(data.scope ? { scope: data.scope } : {}),
    };
  };

  return {
    authorizeUrl({ redirectUri, state, challenge, loginHint }) {
      const url = new URL(at(userAuth.authorizePath));
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', challenge);
      url.searchParams.set('code_challenge_method', 'S256');
      if (userAuth.scope) url.searchParams.set('scope', userAuth.scope);
      if (loginHint) url.searchParams.set('login_hint', loginHint);
      return url.toString();
    },
    exchangeCode: (code, verifier, redirectUri) =>
      grant({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
      }),
    refresh: (refreshToken) => grant({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    async revoke(token) {
      if (!userAuth.revokePath) return false;
      try {
        const response = await post(userAuth.revokePath, { token });
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    },
  };
}
