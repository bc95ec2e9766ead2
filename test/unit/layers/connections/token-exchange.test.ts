import { describe, expect, it, vi } from 'vitest';
import {
  ACCESS_TOKEN_TYPE,
  type ExchangeFetch,
  JWT_BEARER_GRANT,
  TOKEN_EXCHANGE_GRANT,
  type TokenExchangeStyle,
  tokenExchanger,
} from '#layers/connections/token-exchange.ts';
import {
  ConfigurationError,
  ExchangeRefusedError,
  UpstreamUnavailableError,
} from '#layers/errors/index.ts';
import type { SecretProvider } from '#layers/secrets/secret-provider.ts';

const CLIENT_SECRET = 'exchange-client-secret-7f3a';
const SUBJECT = 'subject.jwt.of-ana';
const secrets: SecretProvider = {
  getJson: async () => ({ clientId: 'toolgate-gateway', clientSecret: CLIENT_SECRET }),
};

/** A stand-in token endpoint: keeps each request and answers what the test says. */
function tokenEndpoint(answer: () => Response) {
  const requests: { url: string; headers: Headers; form: URLSearchParams }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    requests.push({
      url,
      headers: new Headers(init.headers),
      form: new URLSearchParams(String(init.body)),
    });
    return answer();
  });
  return { fetch, requests };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const issued = () =>
  json(200, {
    access_token: 'exchanged-for-crm',
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: 300,
  });

const exchangerFor = (style: TokenExchangeStyle, fetch: ExchangeFetch) =>
  tokenExchanger({
    tokenUrl: 'https://idp.example.com/oauth2/token',
    style,
    secretId: 'toolgate/token-exchange',
    secrets,
    fetch,
    now: () => 1_000_000,
  });

describe('tokenExchanger', () => {
  it('sends an RFC 8693 request authenticated with HTTP Basic when the style is rfc8693', async () => {
    // Arrange
    const endpoint = tokenEndpoint(issued);
    // Act
    const token = await exchangerFor('rfc8693', endpoint.fetch).exchange(SUBJECT, {
      audience: 'crm',
    });
    // Assert
    expect(token).toEqual({
      accessToken: 'exchanged-for-crm',
      issuedAt: 1_000_000,
      expiresAt: 1_300_000,
    });
    const [request] = endpoint.requests;
    expect(request?.url).toBe('https://idp.example.com/oauth2/token');
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: SUBJECT,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      audience: 'crm',
    });
    // RFC 6749 §2.3.1: id and secret are form-url-encoded before Basic encoding.
    const basic = /^Basic (.+)$/.exec(request?.headers.get('authorization') ?? '')?.[1] ?? '';
    expect(atob(basic).split(':').map(decodeURIComponent)).toEqual([
      'toolgate-gateway',
      CLIENT_SECRET,
    ]);
  });

  it('sends the audience as resource too when it is a URI', async () => {
    // Arrange
    const endpoint = tokenEndpoint(issued);
    // Act
    await exchangerFor('rfc8693', endpoint.fetch).exchange(SUBJECT, {
      audience: 'https://crm.example.com',
      scope: 'crm.read',
    });
    // Assert
    const form = endpoint.requests[0]?.form;
    expect(form?.get('resource')).toBe('https://crm.example.com');
    expect(form?.get('audience')).toBe('https://crm.example.com');
    expect(form?.get('scope')).toBe('crm.read');
  });

  it('sends an Entra ID on-behalf-of request with the secret in the form when the style is entra_obo', async () => {
    // Arrange: Entra answers token_type, scope, expires_in, access_token (and a refresh token).
    const endpoint = tokenEndpoint(() =>
      json(200, {
        token_type: 'Bearer',
        scope: 'api://crm/.default',
        expires_in: 3599,
        access_token: 'obo-token',
        refresh_token: 'obo-refresh',
      }),
    );
    // Act
    const token = await exchangerFor('entra_obo', endpoint.fetch).exchange(SUBJECT, {
      audience: 'crm',
      scope: 'api://crm/.default',
    });
    // Assert
    expect(token.accessToken).toBe('obo-token');
    expect(token.expiresAt).toBe(1_000_000 + 3_599_000);
    const request = endpoint.requests[0];
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      grant_type: JWT_BEARER_GRANT,
      client_id: 'toolgate-gateway',
      client_secret: CLIENT_SECRET,
      assertion: SUBJECT,
      scope: 'api://crm/.default',
      requested_token_use: 'on_behalf_of',
    });
    expect(request?.headers.get('authorization')).toBeNull();
  });

  it.each([
    [400, 'invalid_grant'],
    [400, 'unauthorized_client'],
    [401, 'invalid_client'],
    [400, 'interaction_required'],
  ])('answers exchange_refused when the provider answers %i %s', async (status, error) => {
    // Arrange
    const endpoint = tokenEndpoint(() =>
      json(status, { error, error_description: `AADSTS50013: assertion of ${SUBJECT} refused` }),
    );
    // Act
    const failure = await exchangerFor('rfc8693', endpoint.fetch)
      .exchange(SUBJECT, { audience: 'crm' })
      .catch((caught: unknown) => caught);
    // Assert: a 403 naming the OAuth error, never the description, the token or the secret.
    expect(failure).toBeInstanceOf(ExchangeRefusedError);
    const refused = failure as ExchangeRefusedError;
    expect(refused.statusCode).toBe(403);
    expect(refused.code).toBe('exchange_refused');
    expect(refused.message).toContain(error);
    const shown = JSON.stringify({ message: refused.message, cause: refused.cause });
    expect(shown).not.toContain(SUBJECT);
    expect(shown).not.toContain(CLIENT_SECRET);
    expect(shown).not.toContain('AADSTS');
  });

  it.each([
    ['a 503', () => json(503, { error: 'temporarily_unavailable' })],
    ['an HTML 502', () => new Response('<html>bad gateway</html>', { status: 502 })],
    ['no token in a 200', () => json(200, { token_type: 'Bearer' })],
  ])('answers the provider unavailable (retryable) on %s', async (_name, answer) => {
    // Arrange
    const endpoint = tokenEndpoint(answer);
    // Act
    const failure = await exchangerFor('rfc8693', endpoint.fetch)
      .exchange(SUBJECT, { audience: 'crm' })
      .catch((caught: unknown) => caught);
    // Assert
    expect(failure).toBeInstanceOf(UpstreamUnavailableError);
    expect((failure as UpstreamUnavailableError).retryable).toBe(true);
    expect((failure as Error).cause).toBeUndefined();
  });

  it('answers the provider unavailable when it cannot be reached', async () => {
    // Arrange
    const fetch = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    // Act
    const failure = await exchangerFor('rfc8693', fetch)
      .exchange(SUBJECT, { audience: 'crm' })
      .catch((caught: unknown) => caught);
    // Assert
    expect(failure).toBeInstanceOf(UpstreamUnavailableError);
  });

  it('refuses to start an exchange when the secret lacks the client', async () => {
    // Arrange
    const exchanger = tokenExchanger({
      tokenUrl: 'https://idp.example.com/token',
      style: 'rfc8693',
      secretId: 'toolgate/token-exchange',
      secrets: { getJson: async () => ({ clientId: 'toolgate-gateway' }) },
      fetch: vi.fn(),
    });
    // Act
    const failure = await exchanger
      .exchange(SUBJECT, { audience: 'crm' })
      .catch((caught: unknown) => caught);
    // Assert
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect((failure as ConfigurationError).code).toBe('exchange_not_configured');
  });
});
