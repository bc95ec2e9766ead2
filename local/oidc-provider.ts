import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Configuration } from 'oidc-provider';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import type { DevIssuer } from './dev-issuer.ts';
import { memoryAdapter } from './oidc-adapter.ts';
import { type Directory, interactionPages } from './oidc-interactions.ts';
import { document, escapeHtml, messagePage, pageHeaders, type RoleChoice } from './oidc-pages.ts';
import {
  type LocalExchangeClient,
  TOKEN_EXCHANGE_GRANT,
  TOKEN_EXCHANGE_PARAMETERS,
  tokenExchangeGrant,
} from './oidc-token-exchange.ts';

/** The console's OIDC client in local mode (CONSOLE_CLIENT_ID). */
export const LOCAL_CONSOLE_CLIENT_ID = 'toolgate-console';
/** The scope of the gateway's access tokens; every authorization request gets it. */
export const GATEWAY_SCOPE = 'toolgate';

export interface LocalOidcOptions {
  /** The key and issuer URL the provider signs with (the gateway already trusts them). */
  issuer: DevIssuer;
  /** The gateway's own URL, `http://127.0.0.1:<port>`: the resource tokens are issued for. */
  gatewayUrl: string;
  /** @default LOCAL_CONSOLE_CLIENT_ID */
  consoleClientId?: string;
  /** What a person may pick on the sign-in page. @default the roles of infra/policy/policy.yaml */
  roles?: readonly RoleChoice[];
  /** The gateway's confidential client for RFC 8693 token exchange; absent: no exchange. */
  tokenExchange?: LocalExchangeClient;
}

export interface LocalOidc {
  /**
   * Serves a request for the provider (its paths under the issuer, and the RFC 8414 metadata
   * address of the issuer); false for any other request, which the caller serves.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * oidc-provider prints one warning when imported on a Node.js release without an LTS name; the
 * `node` package this project pins (24.9.0, the newest 24.x in the registry) predates Node 24's
 * LTS start, though the release line is the one Lambda runs. Every other warning still shows.
 */
async function importProvider(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (String(args[0]).includes('Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}

/**
 * An authorization request's query with the gateway's scope added. MCP clients ask for no scope
 * when the resource metadata names none, and oidc-provider refuses to end an authorization that
 * grants no scope: every request gets the gateway's, as an identity provider's default scope.
 */
function withGatewayScope(query: string): string {
  const params = new URLSearchParams(query);
  const scopes = (params.get('scope') ?? '').split(' ').filter(Boolean);
  if (scopes.includes(GATEWAY_SCOPE)) return query;
  params.set('scope', [...scopes, GATEWAY_SCOPE].join(' '));
  return `?${params}`;
}

/** The loopback names a browser may use for the gateway: the console's redirect URIs use both. */
const gatewayOrigins = (gatewayUrl: string): string[] => {
  const url = new URL(gatewayUrl);
  const other = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return [url.origin, `${url.protocol}//${other}:${url.port}`];
};

/**
 * Local mode's OpenID provider (oidc-provider, OpenID certified), mounted on the gateway's HTTP
 * server at the issuer's path: discovery, authorization code with PKCE (S256, required), token,
 * JWKS, end session, dynamic client registration, and a sign-in page where a person types a user
 * name and picks roles of the policy. Access tokens are JWTs for the gateway (`aud` the gateway's
 * audience, `roles`, `azp` and `client_id`), signed with the dev issuer's key.
 *
 * @example
 * const oidc = await createLocalOidc({ issuer, gatewayUrl: 'http://127.0.0.1:3000' });
 * createApiGateway(routes, (req, res) => oidc.handle(req, res));
 */
export async function createLocalOidc(options: LocalOidcOptions): Promise<LocalOidc> {
  const { default: Provider, errors } = await importProvider();
  const { issuer } = options;
  const mountPath = new URL(issuer.issuer).pathname.replace(/\/$/, '');
  const consoleClientId = options.consoleClientId ?? LOCAL_CONSOLE_CLIENT_ID;
  const roles =
    options.roles ??
    Object.entries(defaultPolicy.roles).map(([name, role]) => ({
      name,
      description: role.description,
    }));
  const origins = gatewayOrigins(options.gatewayUrl);
  const directory: Directory = new Map();
  const isGateway = (resource: string) => origins.includes(URL.parse(resource)?.origin ?? '');

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    jwks: issuer.signingJwks() as Configuration['jwks'],
    // Sessions end with the process; the keys only protect cookies against tampering.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: consoleClientId,
        client_name: 'Toolgate console',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: origins.map((origin) => `${origin}/console/callback`),
        post_logout_redirect_uris: origins.map((origin) => `${origin}/console/`),
      },
      ...(options.tokenExchange
        ? [
            {
              client_id: options.tokenExchange.clientId,
              client_secret: options.tokenExchange.clientSecret,
              client_name: 'Toolgate gateway (token exchange)',
              token_endpoint_auth_method: 'client_secret_basic' as const,
              grant_types: [TOKEN_EXCHANGE_GRANT],
              response_types: [],
              redirect_uris: [],
            },
          ]
        : []),
    ],
    responseTypes: ['code'],
    // As Cognito does for its app clients: a refresh token for every client allowed the grant (the
    // console, MCP clients that registered for it), without asking for offline_access.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub', 'roles'] },
    // The ID token carries the roles too, so a client can show who signed in as what.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const picked = directory.get(sub);
      if (!picked) return undefined;
      return { accountId: sub, claims: async () => ({ sub, roles: [...picked] }) };
    },
    async extraTokenClaims(_ctx, token) {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      return {
        ...(accountId ? { roles: [...(directory.get(accountId) ?? [])] } : {}),
        azp: token.clientId,
      };
    },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          // The confirmation redirects to the client's post-logout URI, which form-action must allow.
          ctx.set(pageHeaders([String(ctx.oidc.params?.post_logout_redirect_uri ?? '')]));
          ctx.type = 'html';
          // `form` is the provider's own hidden form (its anti-forgery token); the buttons submit it.
          ctx.body = document(
            'Sign out',
            `<h1>Sign out</h1>\n<p>Sign out of local mode's identity provider at ${escapeHtml(ctx.host)}?</p>\n${form}\n<div class="actions"><button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button><button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button></div>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          const page = messagePage(
            200,
            'Signed out',
            'You are signed out. You can close this page.',
          );
          ctx.set(page.headers);
          ctx.body = page.body;
        },
      },
      resourceIndicators: {
        enabled: true,
        // A client that names no resource (the console) gets a token for the gateway.
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? options.gatewayUrl,
        // ...even when it also asks for an ID token, without repeating the resource at the token endpoint.
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource) {
          // Any address of the gateway (its root, or /mcp as MCP clients send it, RFC 8707).
          if (!isGateway(resource))
            throw new errors.InvalidTarget(
              `This provider issues tokens for the Toolgate gateway only (${options.gatewayUrl}).`,
            );
          return {
            audience: issuer.audience,
            scope: GATEWAY_SCOPE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 3600,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      RefreshToken: 8 * 3600,
    },
    // Browsers may call the token endpoint from a public client's own origin (an MCP client's page).
    clientBasedCORS(_ctx, origin, client) {
      if (origins.includes(origin)) return true;
      return (
        client.clientAuthMethod === 'none' &&
        client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) === true
      );
    },
    async renderError(ctx, out) {
      const page = messagePage(
        Math.max(ctx.status, 400),
        'Sign-in failed',
        [out.error, out.error_description].filter(Boolean).join(': '),
      );
      ctx.set(page.headers);
      ctx.type = 'html';
      ctx.body = page.body;
    },
  };
  const provider = new Provider(issuer.issuer, configuration);
  if (options.tokenExchange)
    provider.registerGrantType(
      TOKEN_EXCHANGE_GRANT,
      tokenExchangeGrant({ issuer, client: options.tokenExchange, errors }),
      TOKEN_EXCHANGE_PARAMETERS,
    );
  const callback = provider.callback();
  const interactions = interactionPages({
    provider,
    basePath: `${mountPath}/interaction`,
    roles,
    directory,
    consoleClientId,
  });
  // RFC 8414 puts an issuer's metadata at the well-known path followed by the issuer's path;
  // oidc-provider serves it under the issuer, as OpenID Connect Discovery does.
  const metadataAliases = new Map(
    ['oauth-authorization-server', 'openid-configuration'].map((name) => [
      `/.well-known/${name}${mountPath}`,
      `/.well-known/${name}`,
    ]),
  );

  const fail = (res: ServerResponse) => (error: unknown) => {
    console.error('local OpenID provider: request failed', error);
    if (!res.headersSent) {
      const page = messagePage(500, 'Sign-in failed', 'See the local mode log.');
      res.writeHead(page.status, page.headers);
      res.end(page.body);
    } else res.end();
  };

  return {
    handle(req, res) {
      const target = req.url ?? '/';
      const queryAt = target.indexOf('?');
      const path = queryAt === -1 ? target : target.slice(0, queryAt);
      let query = queryAt === -1 ? '' : target.slice(queryAt);
      const alias = metadataAliases.get(path);
      let inner: string;
      if (alias) inner = alias;
      else if (path === mountPath || path.startsWith(`${mountPath}/`))
        inner = path.slice(mountPath.length) || '/';
      else return false;
      if (inner.startsWith('/interaction/')) {
        interactions(req, res, inner.slice('/interaction'.length)).catch(fail(res));
        return true;
      }
      if (inner === '/auth' && req.method === 'GET') query = withGatewayScope(query);
      // Mounted as Express mounts it: oidc-provider finds its mount path from originalUrl.
      Object.assign(req, { originalUrl: `${mountPath}${inner}${query}` });
      req.url = `${inner}${query}`;
      Promise.resolve(callback(req, res)).catch(fail(res));
      return true;
    },
  };
}
