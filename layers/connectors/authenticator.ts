import * as z from 'zod';
import { ConfigurationError, UpstreamUnavailableError } from '../errors/index.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import { type SystemDefinition, secretShapes } from './system-definition.ts';

/** Fetches what a call needs to authenticate; never exposes the secret beyond the header. */
export interface Authenticator {
  /** Headers to add to a request to the system. */
  headers(call: TokenCall): Promise<Record<string, string>>;
  /** Forgets cached credentials and tokens; the next `headers` reads the secret again. */
  invalidate(): void;
}

/** How the OAuth2 token request is sent: same timeout and request id as the call that needs it. */
export type TokenCall = {
  fetchToken(url: string, init: RequestInit): Promise<Response>;
};

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

/** A token is renewed this long before it expires, so no call goes out with a dying token. */
const TOKEN_EXPIRY_MARGIN_MS = 60_000;

export interface AuthenticatorOptions {
  system: SystemDefinition;
  baseUrl: string;
  secretId: string;
  secrets: SecretProvider;
  /** Absolute token URL, when the identity provider is not the API host. @default tokenPath under baseUrl */
  tokenUrl?: string | undefined;
  now?: () => number;
}

/**
 * Builds the authenticator of a system's auth mode: API key header, bearer, basic, or OAuth2
 * client credentials with the access token cached until shortly before it expires.
 *
 * @example
 * const auth = createAuthenticator({ system: crm, baseUrl, secretId, secrets });
 * const headers = await auth.headers({ fetchToken: fetch });
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { system, secrets, secretId } = options;
  const now = options.now ?? Date.now;
  let forceFetch = false;
  let token: { value: string; expiresAt: number } | undefined;

  const readSecret = async <S extends z.ZodType>(shape: S): Promise<z.output<S>> => {
    const raw = await secrets.getJson(secretId, { forceFetch });
    forceFetch = false;
    const parsed = shape.safeParse(raw);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new ConfigurationError(
        'credentials_invalid',
        `The gateway's credentials for ${system.displayName} are incomplete. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        { operatorDetail: `secret "${secretId}" lacks or has invalid fields (${fields})` },
      );
    }
    return parsed.data;
  };

  const auth = system.auth;
  return {
    invalidate() {
      forceFetch = true;
      token = undefined;
    },
    async headers(call) {
      switch (auth.type) {
        case 'api_key': {
          const { apiKey } = await readSecret(secretShapes.api_key);
          return { [auth.header]: apiKey };
        }
        case 'bearer': {
          const secret = await readSecret(secretShapes.bearer);
          return { authorization: `Bearer ${secret.token}` };
        }
        case 'basic': {
          const { username, password } = await readSecret(secretShapes.basic);
          const encoded = Buffer.from(`${username}:${password}`).toString('base64');
          return { authorization: `Basic ${encoded}` };
        }
        case 'oauth2_client_credentials': {
          if (!token || token.expiresAt <= now()) {
            const client = await readSecret(secretShapes.oauth2_client_credentials);
            token = await requestToken(call, options, auth.tokenPath, auth.scope, client, now);
          }
          return { authorization: `Bearer ${token.value}` };
        }
      }
    },
  };
}

async function requestToken(
  call: TokenCall,
  options: AuthenticatorOptions,
  tokenPath: string,
  scope: string | undefined,
  client: { clientId: string; clientSecret: string },
  now: () => number,
): Promise<{ value: string; expiresAt: number }> {
  const url = options.tokenUrl ?? new URL(tokenPath, options.baseUrl).toString();
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) form.set('scope', scope);
  const basic = Buffer.from(
    `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
  ).toString('base64');
  const response = await call.fetchToken(url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: form.toString(),
  });
  const name = options.system.displayName;
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    throw new ConfigurationError(
      'upstream_auth_failed',
      `${name} refused the gateway's credentials. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
      {
        operatorDetail: `${name}'s token endpoint refused the OAuth2 client of secret "${options.secretId}" (status ${response.status}): update the secret`,
      },
    );
  }
  if (!response.ok) {
    throw new UpstreamUnavailableError(
      `${name} could not issue an access token right now (status ${response.status}). Try again in a few seconds.`,
    );
  }
  const parsed = tokenResponseSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    throw new ConfigurationError(
      'upstream_auth_failed',
      `${name} did not give the gateway an access token. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
      { operatorDetail: `${name}'s token endpoint (${url}) answered without an access_token` },
    );
  }
  const ttlMs = (parsed.data.expires_in ?? 300) * 1000;
  const margin = Math.min(TOKEN_EXPIRY_MARGIN_MS, ttlMs / 10);
  return { value: parsed.data.access_token, expiresAt: now() + ttlMs - margin };
}
