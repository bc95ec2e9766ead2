import { createLocalJWKSet, jwtVerify } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DevIssuer } from './dev-issuer.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The gateway's confidential client at local mode's provider, for token exchange. */
export interface LocalExchangeClient {
  clientId: string;
  clientSecret: string;
  /** The audiences (systems) tokens may be exchanged for, e.g. `crm`. */
  audiences: readonly string[];
  /** Life of an exchanged token, in seconds. @default 300 */
  ttlSeconds?: number;
}

type ProviderErrors = typeof import('oidc-provider').errors;

/**
 * The RFC 8693 token exchange grant of local mode's provider (oidc-provider's
 * `registerGrantType`): the gateway's client, authenticated by the token endpoint, hands in a
 * user's access token for the gateway (the subject token); the provider checks that it issued it
 * and that it is still valid, and answers a short-lived JWT access token for one system (`aud`),
 * with the same `sub` and roles, signed with the provider's key.
 *
 * @example
 * provider.registerGrantType(TOKEN_EXCHANGE_GRANT, tokenExchangeGrant({ issuer, client, errors }), TOKEN_EXCHANGE_PARAMETERS);
 */
export function tokenExchangeGrant(options: {
  issuer: DevIssuer;
  client: LocalExchangeClient;
  errors: ProviderErrors;
}) {
  const { issuer, client, errors } = options;
  const keys = createLocalJWKSet(issuer.jwks());
  const ttlSeconds = client.ttlSeconds ?? 300;
  return async (ctx: KoaContextWithOIDC): Promise<void> => {
    const params = ctx.oidc.params as Record<string, string | undefined>;
    if (ctx.oidc.client?.clientId !== client.clientId)
      throw new errors.UnauthorizedClient('this client may not exchange tokens');
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE)
      throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
    if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE)
      throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    const audience = params.audience ?? params.resource;
    if (!audience || !client.audiences.includes(audience))
      throw new errors.InvalidTarget(
        `audience must be one of ${client.audiences.join(', ') || '(none configured)'}`,
      );
    let claims: { sub?: string; roles?: unknown };
    try {
      ({ payload: claims } = await jwtVerify(params.subject_token ?? '', keys, {
        issuer: issuer.issuer,
        audience: issuer.audience,
      }));
    } catch {
      throw new errors.InvalidGrant('subject_token is not a valid access token of this provider');
    }
    if (!claims.sub) throw new errors.InvalidGrant('subject_token names no subject');
    const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
    ctx.body = {
      access_token: await issuer.issue({
        sub: claims.sub,
        roles,
        audience,
        clientId: client.clientId,
        expiresInSeconds: ttlSeconds,
      }),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: ttlSeconds,
    };
  };
}

/** The request parameters of the grant, besides `grant_type`. */
export const TOKEN_EXCHANGE_PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'requested_token_type',
  'audience',
  'resource',
  'scope',
  'actor_token',
  'actor_token_type',
];
