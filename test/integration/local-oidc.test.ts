import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import {
  authorizeInBrowser,
  CookieBrowser,
  claimsOf,
  exchangeCode,
  formAction,
  pkcePair,
  type SignInRequest,
  signIn,
} from '#test/helpers/oidc-sign-in.ts';

const CONSOLE = 'toolgate-console';
const policyRoles = Object.keys(defaultPolicy.roles);

describe("local mode's OpenID provider", () => {
  let local: LocalHarness;
  let issuer: string;
  let consoleCallback: string;

  beforeAll(async () => {
    local = await startLocalHarness();
    issuer = local.issuer.issuer;
    consoleCallback = `${local.url}/console/callback`;
  });
  afterAll(() => local.stop());

  /** An authorization request of the console's client, with `params` added. */
  const consoleAuthorize = (params: Record<string, string>) =>
    `${issuer}/auth?${new URLSearchParams({
      client_id: CONSOLE,
      redirect_uri: consoleCallback,
      response_type: 'code',
      scope: 'openid',
      ...params,
    })}`;
  /** Signs `user` in to the console with `roles`, as a browser does. */
  const consoleSignIn = (user: string, roles: string[], extra: Partial<SignInRequest> = {}) =>
    signIn({ issuer, clientId: CONSOLE, redirectUri: consoleCallback, user, roles, ...extra });
  /** The console's token request for a code. */
  const consoleTokens = (code: string | null, verifier: string) =>
    exchangeCode({
      issuer,
      clientId: CONSOLE,
      redirectUri: consoleCallback,
      code: code ?? '',
      verifier,
    });

  /** Calls GET /tools with `token`: the tools its caller may use, by name. */
  const toolsOf = async (token: string) => {
    const res = await local.call('GET', '/tools', { token });
    return {
      status: res.status,
      names: ((res.body?.tools ?? []) as { name: string }[]).map((tool) => tool.name).sort(),
    };
  };

  it('is the issuer of local mode, publishing its metadata at the issuer and at the RFC 8414 address', async () => {
    // Arrange
    const expected = `${local.url}/_local/oidc`;
    // Act
    const discovery = await fetch(`${expected}/.well-known/openid-configuration`);
    const oauth = await fetch(`${local.url}/.well-known/oauth-authorization-server/_local/oidc`);
    const resource = await local.call('GET', '/.well-known/oauth-protected-resource');
    // Assert
    expect(issuer).toBe(expected);
    expect(local.functionEnv.JWT_ISSUER).toBe(expected);
    expect(discovery.status).toBe(200);
    const metadata = (await discovery.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: expected,
      authorization_endpoint: `${expected}/auth`,
      token_endpoint: `${expected}/token`,
      jwks_uri: `${expected}/jwks`,
      registration_endpoint: `${expected}/reg`,
      end_session_endpoint: `${expected}/session/end`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    expect(((await oauth.json()) as { issuer: string }).issuer).toBe(expected);
    expect(resource.body.authorization_servers).toEqual([expected]);
  });

  it('signs with the one key the gateway trusts', async () => {
    const published = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: object[] };
    const trusted = (await (await fetch(local.functionEnv.JWT_JWKS_URL ?? '')).json()) as {
      keys: object[];
    };
    expect(published.keys).toEqual(trusted.keys);
    expect(JSON.stringify(published)).not.toMatch(/"d":/);
  });

  it('signs a person in to the console with authorization code and PKCE, giving a token the gateway accepts with their roles', async () => {
    // Arrange
    const browser = new CookieBrowser();
    const { verifier, challenge } = pkcePair();
    const authorize = consoleAuthorize({
      state: 'console-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    // Act: the authorization request leads to the sign-in page
    const started = await browser.follow(await browser.request(authorize), consoleCallback);
    if (!('page' in started)) throw new Error('no sign-in page');
    const page = started.page;
    const html = await page.text();
    // Assert: labelled fields, the policy's roles, a strict policy for the page
    expect(page.status).toBe(200);
    expect(html).toContain('<label for="user">User</label>');
    expect(html).toContain('<label for="roles">Roles</label>');
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
    for (const role of policyRoles) expect(html).toContain(`<option value="${role}">`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(html).not.toContain('<script');
    // Act: sign in; the console's consent comes with it
    const posted = await browser.submit(formAction(html, page.url), [
      ['user', 'vera'],
      ['roles', 'viewer'],
    ]);
    const back = await browser.follow(posted, consoleCallback);
    if (!('redirect' in back)) throw new Error(`no redirect: ${await back.page.text()}`);
    const code = back.redirect.searchParams.get('code') ?? '';
    const tokens = await consoleTokens(code, verifier);
    // Assert
    expect(back.redirect.searchParams.get('state')).toBe('console-state');
    expect(back.redirect.searchParams.get('iss')).toBe(issuer);
    expect(tokens.status).toBe(200);
    const accessToken = String(tokens.body.access_token);
    expect(claimsOf(accessToken)).toMatchObject({
      iss: issuer,
      aud: 'toolgate-local',
      sub: 'vera',
      roles: ['viewer'],
      azp: CONSOLE,
      client_id: CONSOLE,
    });
    expect(claimsOf(String(tokens.body.id_token))).toMatchObject({
      iss: issuer,
      aud: CONSOLE,
      sub: 'vera',
      roles: ['viewer'],
    });
    expect(await toolsOf(accessToken)).toEqual({
      status: 200,
      names: ['get_customer', 'search_customers'],
    });
  });

  it('gives a token with several roles when a person picks several', async () => {
    const { code, verifier } = await consoleSignIn('bea', ['support', 'sales']);
    const tokens = await consoleTokens(code, verifier);
    const accessToken = String(tokens.body.access_token);
    expect(claimsOf(accessToken).roles).toEqual(['support', 'sales']);
    const { names } = await toolsOf(accessToken);
    expect(names).toEqual(expect.arrayContaining(['create_order', 'get_customer_tickets']));
  });

  it('renews the console session with its refresh token, keeping the person and roles', async () => {
    // Arrange
    const { code, verifier } = await consoleSignIn('bea', ['approver']);
    const first = await consoleTokens(code, verifier);
    // Act
    const renewed = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: CONSOLE,
        refresh_token: String(first.body.refresh_token),
      }).toString(),
    });
    const body = (await renewed.json()) as Record<string, unknown>;
    // Assert
    expect(first.body.refresh_token).toEqual(expect.any(String));
    expect(renewed.status).toBe(200);
    expect(claimsOf(String(body.access_token))).toMatchObject({
      aud: 'toolgate-local',
      sub: 'bea',
      roles: ['approver'],
      azp: CONSOLE,
    });
    expect((await toolsOf(String(body.access_token))).status).toBe(200);
  });

  it('refuses to exchange a code with a wrong PKCE verifier', async () => {
    const { code } = await consoleSignIn('mallory', ['admin']);
    const tokens = await consoleTokens(code, pkcePair().verifier);
    expect(tokens.status).toBe(400);
    expect(tokens.body).toMatchObject({ error: 'invalid_grant' });
    expect(tokens.body.access_token).toBeUndefined();
  });

  it('refuses an authorization request of the public console client without PKCE', async () => {
    const res = await fetch(consoleAuthorize({}), { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '', local.url);
    expect(location.href.startsWith(consoleCallback)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses an unknown role on the sign-in page, naming the roles of the policy, and escapes what it echoes', async () => {
    // Arrange
    const browser = new CookieBrowser();
    const { challenge } = pkcePair();
    const hint = '"><script>alert(1)</script>';
    const started = await browser.follow(
      await browser.request(
        consoleAuthorize({
          code_challenge: challenge,
          code_challenge_method: 'S256',
          login_hint: hint,
        }),
      ),
      consoleCallback,
    );
    if (!('page' in started)) throw new Error('no sign-in page');
    const html = await started.page.text();
    // Act
    const refused = await browser.submit(formAction(html, started.page.url), [
      ['user', 'ana'],
      ['roles', 'support'],
      ['roles', 'approvr'],
    ]);
    const refusal = await refused.text();
    // Assert
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(refused.status).toBe(400);
    expect(refusal).toContain('role="alert"');
    expect(refusal).toContain('&quot;approvr&quot;');
    expect(refusal).toContain(`the roles are ${policyRoles.join(', ')}`);
    expect(refused.headers.get('location')).toBeNull();
  });

  it('refuses a token for a resource other than the gateway', async () => {
    const { redirect } = await consoleSignIn('ana', ['support'], {
      resource: 'https://elsewhere.example/api',
    });
    expect(redirect.searchParams.get('code')).toBeNull();
    expect(redirect.searchParams.get('error')).toBe('invalid_target');
  });

  it('registers a client dynamically, asks the person for consent, and its token names that client', async () => {
    // Arrange
    const redirectUri = 'http://127.0.0.1:9/agent/callback';
    const registered = await fetch(`${issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Agent <b>X</b>',
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      }),
    });
    const client = (await registered.json()) as { client_id: string };
    const browser = new CookieBrowser();
    const { verifier, challenge } = pkcePair();
    const authorize = `${issuer}/auth?${new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      resource: `${local.url}/mcp`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })}`;
    const signInPage = await browser.follow(await browser.request(authorize), redirectUri);
    if (!('page' in signInPage)) throw new Error('no sign-in page');
    const signInHtml = await signInPage.page.text();
    // Act: sign in, then the consent page
    const consent = await browser.follow(
      await browser.submit(formAction(signInHtml, signInPage.page.url), [
        ['user', 'ana'],
        ['roles', 'support'],
      ]),
      redirectUri,
    );
    if (!('page' in consent)) throw new Error('no consent page for a registered client');
    const consentHtml = await consent.page.text();
    const allowed = await browser.follow(
      await browser.submit(formAction(consentHtml, consent.page.url), []),
      redirectUri,
    );
    if (!('redirect' in allowed)) throw new Error('no redirect after consent');
    const tokens = await exchangeCode({
      issuer,
      clientId: client.client_id,
      redirectUri,
      code: allowed.redirect.searchParams.get('code') ?? '',
      verifier,
    });
    // Assert
    expect(registered.status).toBe(201);
    expect(consentHtml).toContain('Agent &lt;b&gt;X&lt;/b&gt;');
    expect(consentHtml).toMatch(/<button type="submit">Allow<\/button>/);
    expect(consent.page.headers.get('content-security-policy')).toContain(
      "form-action 'self' http://127.0.0.1:9",
    );
    expect(tokens.status).toBe(200);
    expect(claimsOf(String(tokens.body.access_token))).toMatchObject({
      aud: 'toolgate-local',
      sub: 'ana',
      roles: ['support'],
      azp: client.client_id,
      client_id: client.client_id,
    });
    expect((await toolsOf(String(tokens.body.access_token))).status).toBe(200);
  });

  it('sends the client an access_denied when the person denies consent', async () => {
    const registered = (await (
      await fetch(`${issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: ['http://127.0.0.1:9/denied'],
          token_endpoint_auth_method: 'none',
        }),
      })
    ).json()) as { client_id: string };
    const { redirect } = await signIn({
      issuer,
      clientId: registered.client_id,
      redirectUri: 'http://127.0.0.1:9/denied',
      user: 'ana',
      roles: ['support'],
      consent: 'deny',
    });
    expect(redirect.searchParams.get('code')).toBeNull();
    expect(redirect.searchParams.get('error')).toBe('access_denied');
  });

  it('signs an MCP client in by the protected resource metadata alone (discovery, registration, PKCE), and it lists tools', async () => {
    // Arrange: an MCP client as mcp-remote is one, with a person's browser in place of a real one
    const redirectUrl = 'http://127.0.0.1:9/oauth/callback';
    let information: OAuthClientInformationMixed | undefined;
    let tokens: OAuthTokens | undefined;
    let verifier = '';
    let authorizationUrl: URL | undefined;
    const provider: OAuthClientProvider = {
      redirectUrl,
      clientMetadata: {
        client_name: 'MCP client stand-in',
        redirect_uris: [redirectUrl],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      clientInformation: () => information,
      saveClientInformation: (saved) => {
        information = saved;
      },
      tokens: () => tokens,
      saveTokens: (saved) => {
        tokens = saved;
      },
      redirectToAuthorization: (url) => {
        authorizationUrl = url;
      },
      saveCodeVerifier: (saved) => {
        verifier = saved;
      },
      codeVerifier: () => verifier,
    };
    const serverUrl = `${local.url}/mcp`;
    // Act
    const first = await auth(provider, { serverUrl });
    const { redirect } = await authorizeInBrowser(String(authorizationUrl), redirectUrl, {
      user: 'ana',
      roles: ['support'],
    });
    const second = await auth(provider, {
      serverUrl,
      authorizationCode: redirect.searchParams.get('code') ?? '',
    });
    const client = new Client({ name: 'mcp-oauth-stand-in', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider }),
    );
    const { tools } = await client.listTools();
    await client.close();
    // Assert
    expect(first).toBe('REDIRECT');
    expect(authorizationUrl?.searchParams.get('resource')).toBe(serverUrl);
    expect(second).toBe('AUTHORIZED');
    expect(claimsOf(tokens?.access_token ?? '')).toMatchObject({
      aud: 'toolgate-local',
      sub: 'ana',
      client_id: information?.client_id,
    });
    expect(tools.map((tool) => tool.name)).toContain('create_ticket');
  });

  it('signs a person out and sends them back to the console', async () => {
    // Arrange
    const { code, verifier, browser } = await consoleSignIn('bea', ['approver']);
    const tokens = await consoleTokens(code, verifier);
    // Act
    const confirm = await browser.request(
      `${issuer}/session/end?${new URLSearchParams({
        client_id: CONSOLE,
        id_token_hint: String(tokens.body.id_token),
        post_logout_redirect_uri: `${local.url}/console/`,
      })}`,
    );
    const html = await confirm.text();
    const hidden = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map(
      (match): [string, string] => [match[1] ?? '', match[2] ?? ''],
    );
    const signedOut = await browser.submit(formAction(html, confirm.url), [
      ...hidden,
      ['logout', 'yes'],
    ]);
    const again = await browser.follow(
      await browser.request(
        consoleAuthorize({ code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }),
      ),
      consoleCallback,
    );
    // Assert
    expect(confirm.status).toBe(200);
    expect(html).toMatch(/<button type="submit" form="op.logoutForm"[^>]*>Sign out<\/button>/);
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toBe(`${local.url}/console/`);
    // Signed out: the next authorization asks who is there again.
    expect('page' in again && (await again.page.text()).includes('>Sign in</button>')).toBe(true);
  });

  it('still accepts the tokens the tests and scripts issue, under the same issuer', async () => {
    const token = await local.issuer.issue({ sub: 'ana', roles: ['support'] });
    expect(claimsOf(token).iss).toBe(issuer);
    expect((await toolsOf(token)).status).toBe(200);
  });
});
