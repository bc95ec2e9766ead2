import { createHash, randomBytes } from 'node:crypto';

/**
 * A browser as far as a sign-in needs one: cookies kept per name (paths ignored: one provider),
 * redirects followed by hand so each step can be looked at.
 */
export class CookieBrowser {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set(
        'cookie',
        [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      );
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      // An expired cookie is how a server deletes it.
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Posts a form as a browser submits it. */
  submit(url: string, fields: [string, string][]): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /**
   * Follows redirects from `response` until one leads to `stopAt` (returned, not fetched) or a page
   * answers; throws naming the last status when neither happens within `limit`.
   */
  async follow(
    response: Response,
    stopAt: string,
    limit = 10,
  ): Promise<{ redirect: URL } | { page: Response }> {
    let current = response;
    for (let hop = 0; hop < limit; hop++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || !location) return { page: current };
      const next = new URL(location, current.url);
      await current.body?.cancel();
      if (next.href.startsWith(stopAt)) return { redirect: next };
      current = await this.request(next.href);
    }
    throw new Error(`more than ${limit} redirects (last ${current.status} ${current.url})`);
  }
}

/** A PKCE pair (RFC 7636, S256). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The action of the page's first form and its method. */
export function formAction(html: string, baseUrl: string): string {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the page: ${html.slice(0, 500)}`);
  return new URL(action.replaceAll('&amp;', '&'), baseUrl).href;
}

export interface SignInRequest {
  issuer: string;
  clientId: string;
  redirectUri: string;
  user: string;
  roles: readonly string[];
  scope?: string;
  resource?: string;
  /** Answers the consent page (clients other than the console get one). @default allow */
  consent?: 'allow' | 'deny';
}

export interface Person {
  user: string;
  roles: readonly string[];
  /** Answers the consent page (clients other than the console get one). @default allow */
  consent?: 'allow' | 'deny';
}

/**
 * Opens an authorization URL as a person's browser would and goes through the provider's pages:
 * sign-in, consent if asked; returns where the provider sends the browser back to the client.
 *
 * @example
 * const { redirect } = await authorizeInBrowser(url, `${local.url}/console/callback`, { user: 'bea', roles: ['approver'] });
 */
export async function authorizeInBrowser(
  authorizationUrl: string,
  redirectUri: string,
  person: Person,
  browser = new CookieBrowser(),
): Promise<{ redirect: URL; browser: CookieBrowser }> {
  let step = await browser.follow(await browser.request(authorizationUrl), redirectUri);
  for (let pages = 0; 'page' in step; pages++) {
    const html = await step.page.text();
    if (step.page.status !== 200 || pages > 2)
      throw new Error(`the sign-in stopped at ${step.page.status}: ${html.slice(0, 800)}`);
    const action = formAction(html, step.page.url);
    const posted = action.endsWith('/login')
      ? await browser.submit(action, [
          ['user', person.user],
          ...person.roles.map((role): [string, string] => ['roles', role]),
        ])
      : await browser.submit(
          person.consent === 'deny' ? action.replace(/\/consent$/, '/abort') : action,
          [],
        );
    step = await browser.follow(posted, redirectUri);
  }
  return { redirect: step.redirect, browser };
}

export interface SignInRequest extends Person {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  resource?: string;
}

/**
 * Signs a person in at local mode's OpenID provider (authorization code with PKCE) and returns the
 * code the client gets, with the verifier to exchange it.
 *
 * @example
 * const { code, verifier } = await signIn({ issuer, clientId: 'toolgate-console', redirectUri, user: 'bea', roles: ['approver'] });
 */
export async function signIn(request: SignInRequest): Promise<{
  code: string | null;
  verifier: string;
  redirect: URL;
  browser: CookieBrowser;
}> {
  const { verifier, challenge } = pkcePair();
  const authorize = new URL(`${request.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: request.scope ?? 'openid',
    state: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(request.resource ? { resource: request.resource } : {}),
  }).toString();
  const { redirect, browser } = await authorizeInBrowser(
    authorize.href,
    request.redirectUri,
    request,
  );
  return { code: redirect.searchParams.get('code'), verifier, redirect, browser };
}

/** Exchanges an authorization code at the token endpoint, as a public client. */
export async function exchangeCode(request: {
  issuer: string;
  clientId: string;
  redirectUri: string;
  code: string;
  verifier: string;
}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${request.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      code: request.code,
      code_verifier: request.verifier,
    }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A JWT's payload, unverified (the gateway verifies; tests look). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}
