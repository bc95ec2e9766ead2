import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Reply, SandboxRoute, TrustedIssuer } from './server.ts';

/**
 * A CRM user who owns records, as HubSpot's owners (`hubspot_owner_id`): with a user token, a
 * request sees only the companies and contacts that user owns.
 */
export interface CrmOwner {
  id: string;
  /** What the user types on the consent page; the demo users of local mode (`npm run token -- --sub ana`). */
  login: string;
  email: string;
}

/**
 * The CRM's users. Two `support` demo users (ana, bea) and a `sales` one (carl) share the
 * companies round-robin, so two users of the same role see different customers.
 */
export const crmOwners: readonly CrmOwner[] = [
  { id: '101', login: 'ana', email: 'ana@acme.example' },
  { id: '102', login: 'bea', email: 'bea@acme.example' },
  { id: '103', login: 'carl', email: 'carl@acme.example' },
];

/** The owner of the company at `index` of the seed: round-robin over the owners. */
export const ownerOfCompany = (index: number): CrmOwner =>
  crmOwners[index % crmOwners.length] as CrmOwner;

/** The OAuth client the gateway is registered as: public, with PKCE (RFC 7636) required. */
export const CRM_OAUTH_CLIENT_ID = 'toolgate-local';

/** The audience of the identity provider's tokens for the CRM (token exchange). */
export const CRM_AUDIENCE = 'crm';

/**
 * Who a request acts as: the service credential (sees everything) or one CRM user, with a token
 * of the CRM's own OAuth server (`oauth`) or the identity provider's, exchanged for the CRM
 * (`exchange`).
 */
export type CrmPrincipal =
  | { kind: 'service' }
  | { kind: 'user'; owner: CrmOwner; via: 'oauth' | 'exchange' };

interface Grant {
  owner: CrmOwner;
  scope: string;
}
interface PendingCode extends Grant {
  redirectUri: string;
  challenge: string;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;
const random = () => randomBytes(24).toString('base64url');
const oauthError = (status: number, error: string, description: string): Reply => ({
  status,
  body: { error, error_description: description },
});
const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => `&#${char.charCodeAt(0)};`, // every character HTML gives a meaning to
  );
/** Redirects are only to the gateway's own loopback address: the sandbox runs on a laptop. */
const loopback = (uri: string) => {
  if (!URL.canParse(uri)) return false;
  const url = new URL(uri);
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
};

/**
 * The CRM sandbox's OAuth 2.0 authorization server (authorization code with PKCE S256, refresh
 * tokens that rotate, RFC 7009 revocation) and its per-user access tokens. A refresh token works
 * once: its reuse revokes the whole grant, as OAuth 2.0 Security BCP asks, so two refreshes
 * racing for one connection break it.
 *
 * @example
 * const oauth = crmOAuth({ serviceToken });
 * oauth.principalOf(req.headers); // { kind: 'user', owner: { login: 'ana', … } }
 */
export function crmOAuth(options: { serviceToken: string; now?: () => number }) {
  const now = options.now ?? Date.now;
  const service = Buffer.from(`Bearer ${options.serviceToken}`);
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, Grant & { expiresAt: number; grantId: string }>();
  const refreshTokens = new Map<string, Grant & { grantId: string }>();
  const grants = { authorization_code: 0, refresh_token: 0, refused: 0, revocations: 0 };
  // The identity provider's tokens for the CRM, once verified: the CRM trusts its issuer, as a
  // resource server of that provider does (SSO), and maps `sub` to the CRM user of that login.
  let trusted: { issuer: string; keys: ReturnType<typeof createRemoteJWKSet> } | undefined;
  const verified = new Map<string, { owner: CrmOwner; expiresAt: number }>();
  let accessTokenTtlSeconds = 1800;

  const issue = (grant: Grant, grantId: string) => {
    const access = `crm-user-${random()}`;
    const refresh = `crm-refresh-${random()}`;
    accessTokens.set(access, {
      ...grant,
      grantId,
      expiresAt: now() + accessTokenTtlSeconds * 1000,
    });
    refreshTokens.set(refresh, { ...grant, grantId });
    return {
      status: 200,
      body: {
        access_token: access,
        refresh_token: refresh,
        token_type: 'bearer',
        expires_in: accessTokenTtlSeconds,
        scope: grant.scope,
      },
    };
  };

  const revokeGrant = (grantId: string) => {
    for (const [token, found] of accessTokens)
      if (found.grantId === grantId) accessTokens.delete(token);
    for (const [token, found] of refreshTokens)
      if (found.grantId === grantId) refreshTokens.delete(token);
  };

  const consentPage = (query: URLSearchParams, hint: string): Reply => {
    const hidden = [
      'client_id',
      'redirect_uri',
      'state',
      'code_challenge',
      'code_challenge_method',
      'scope',
    ]
      .map((name) => `<input type="hidden" name="${name}" value="${html(query.get(name) ?? '')}">`)
      .join('\n');
    const who = hint ? `<strong>${html(hint)}</strong>` : 'you';
    return {
      status: 200,
      text: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Connect Toolgate to the CRM</title></head>
<body>
<h1>Connect Toolgate to the CRM</h1>
<p>Toolgate asks to read the companies and contacts ${who} own${hint ? 's' : ''} in the CRM, on ${who === 'you' ? 'your' : `${who}'s`} behalf.</p>
<form method="post" action="/oauth/authorize">
${hidden}
<label>CRM user <input name="user" value="${html(hint)}" required></label>
<button name="decision" value="allow">Allow</button>
<button name="decision" value="deny">Deny</button>
</form>
</body></html>`,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    };
  };

  /** Checks what an authorization request names; an error page when the request is not ours. */
  const checkRequest = (fields: URLSearchParams): string | undefined => {
    if (fields.get('client_id') !== CRM_OAUTH_CLIENT_ID)
      return `client_id must be ${CRM_OAUTH_CLIENT_ID}`;
    if (!loopback(fields.get('redirect_uri') ?? ''))
      return 'redirect_uri must be an http loopback URL';
    if (fields.get('code_challenge_method') !== 'S256')
      return 'code_challenge_method must be S256 (PKCE is required)';
    if (!/^[A-Za-z0-9_-]{43}$/.test(fields.get('code_challenge') ?? ''))
      return 'code_challenge must be the base64url SHA-256 of the code verifier';
    return undefined;
  };
  const errorPage = (message: string): Reply => ({
    status: 400,
    text: `<!doctype html><html lang="en"><body><h1>Invalid request</h1><p>${html(message)}</p></body></html>`,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  });

  const routes: SandboxRoute[] = [
    {
      method: 'GET',
      path: '/oauth/authorize',
      operation: 'oauth.authorize',
      authenticated: false,
      handle: ({ query }) => {
        const problem = checkRequest(query);
        if (problem) return errorPage(problem);
        return consentPage(query, query.get('login_hint') ?? '');
      },
    },
    {
      method: 'POST',
      path: '/oauth/authorize',
      operation: 'oauth.consent',
      authenticated: false,
      handle: ({ body }) => {
        const fields = new URLSearchParams((body ?? {}) as Record<string, string>);
        const problem = checkRequest(fields);
        if (problem) return errorPage(problem);
        const redirect = new URL(fields.get('redirect_uri') ?? '');
        const state = fields.get('state');
        if (state) redirect.searchParams.set('state', state);
        if (fields.get('decision') !== 'allow') {
          redirect.searchParams.set('error', 'access_denied');
          return { status: 302, headers: { location: redirect.toString() } };
        }
        const owner = crmOwners.find((found) => found.login === fields.get('user'));
        if (!owner)
          return errorPage(
            `No CRM user named "${fields.get('user') ?? ''}". The CRM's users are ${crmOwners.map((found) => found.login).join(', ')}.`,
          );
        const code = random();
        codes.set(code, {
          owner,
          scope: fields.get('scope') || 'crm.objects.companies.read crm.objects.contacts.read',
          redirectUri: redirect.origin + redirect.pathname,
          challenge: fields.get('code_challenge') ?? '',
          expiresAt: now() + CODE_TTL_MS,
        });
        redirect.searchParams.set('code', code);
        return { status: 302, headers: { location: redirect.toString() } };
      },
    },
    {
      method: 'POST',
      path: '/oauth/v1/token',
      operation: 'oauth.token',
      authenticated: false,
      handle: ({ body }) => {
        const form = (body ?? {}) as Record<string, string | undefined>;
        if (form.client_id !== CRM_OAUTH_CLIENT_ID)
          return oauthError(401, 'invalid_client', `client_id must be ${CRM_OAUTH_CLIENT_ID}`);
        if (form.grant_type === 'authorization_code') {
          const pending = codes.get(form.code ?? '');
          codes.delete(form.code ?? '');
          const verifier = form.code_verifier ?? '';
          const challenge = createHash('sha256').update(verifier).digest('base64url');
          if (
            !pending ||
            pending.expiresAt < now() ||
            pending.redirectUri !== form.redirect_uri?.split('?')[0] ||
            challenge.length !== pending.challenge.length ||
            !timingSafeEqual(Buffer.from(challenge), Buffer.from(pending.challenge))
          ) {
            grants.refused++;
            return oauthError(
              400,
              'invalid_grant',
              'The code is unknown, used, expired, or its verifier does not match',
            );
          }
          grants.authorization_code++;
          return issue(pending, random());
        }
        if (form.grant_type === 'refresh_token') {
          const found = refreshTokens.get(form.refresh_token ?? '');
          if (!found) {
            grants.refused++;
            return oauthError(400, 'invalid_grant', 'The refresh token is unknown or revoked');
          }
          refreshTokens.delete(form.refresh_token ?? '');
          grants.refresh_token++;
          return issue(found, found.grantId);
        }
        return oauthError(
          400,
          'unsupported_grant_type',
          'grant_type must be authorization_code or refresh_token',
        );
      },
    },
    {
      method: 'POST',
      path: '/oauth/v1/revoke',
      operation: 'oauth.revoke',
      authenticated: false,
      handle: ({ body }) => {
        const token = ((body ?? {}) as Record<string, string | undefined>).token ?? '';
        const found = refreshTokens.get(token) ?? accessTokens.get(token);
        if (found) {
          grants.revocations++;
          revokeGrant(found.grantId);
        }
        // RFC 7009 §2.2: an unknown token is answered as revoked.
        return { status: 200, body: {} };
      },
    },
  ];

  const principalOf = (headers: IncomingHttpHeaders): CrmPrincipal | undefined => {
    const given = Buffer.from(headers.authorization ?? '');
    if (given.length === service.length && timingSafeEqual(given, service))
      return { kind: 'service' };
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const exchanged = bearer ? verified.get(bearer) : undefined;
    if (exchanged && exchanged.expiresAt > now())
      return { kind: 'user', owner: exchanged.owner, via: 'exchange' };
    const found = bearer ? accessTokens.get(bearer) : undefined;
    if (!found || found.expiresAt <= now()) return undefined;
    return { kind: 'user', owner: found.owner, via: 'oauth' };
  };

  /** Verifies an identity provider's JWT (signature, issuer, `aud` crm, expiry) once, before `principalOf`. */
  const resolve = async (headers: IncomingHttpHeaders): Promise<void> => {
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    if (!trusted || !bearer || bearer.split('.').length !== 3 || verified.has(bearer)) return;
    try {
      const { payload } = await jwtVerify(bearer, trusted.keys, {
        issuer: trusted.issuer,
        audience: CRM_AUDIENCE,
      });
      const owner = crmOwners.find((found) => found.login === payload.sub);
      if (owner && payload.exp) verified.set(bearer, { owner, expiresAt: payload.exp * 1000 });
    } catch {
      // Not a token of the trusted provider for the CRM: the request is not authenticated.
    }
    for (const [token, found] of verified) if (found.expiresAt <= now()) verified.delete(token);
  };

  const trust = (issuer: TrustedIssuer): void => {
    trusted = { issuer: issuer.issuer, keys: createRemoteJWKSet(new URL(issuer.jwksUrl)) };
  };

  /** `/_sandbox/oauth…`: counts, a shorter token life, and revoking a user's grants out of band. */
  const control = (method: string, path: string): Reply | undefined => {
    if (path === '/_sandbox/oauth' && method === 'GET')
      return { status: 200, body: { grants: { ...grants }, accessTokenTtlSeconds } };
    const ttl = /^\/_sandbox\/oauth\/access-token-ttl\/(\d+)$/.exec(path);
    if (ttl && method === 'PUT') {
      accessTokenTtlSeconds = Math.max(1, Number(ttl[1]));
      return { status: 200, body: { accessTokenTtlSeconds } };
    }
    const revoke = /^\/_sandbox\/oauth\/users\/([^/]+)\/revoke$/.exec(path);
    if (revoke && method === 'POST') {
      const login = decodeURIComponent(revoke[1] ?? '');
      const ids = new Set(
        [...refreshTokens.values(), ...accessTokens.values()]
          .filter((found) => found.owner.login === login)
          .map((found) => found.grantId),
      );
      for (const id of ids) revokeGrant(id);
      return { status: 200, body: { revoked: ids.size } };
    }
    return undefined;
  };

  return { routes, principalOf, resolve, trust, control };
}
