import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '#layers/connectors/authenticator.ts';
import { defineSystem, type SystemDeclaration } from '#layers/connectors/system-definition.ts';
import type { AppError } from '#layers/errors/index.ts';
import type { SecretProvider } from '#layers/secrets/secret-provider.ts';
import { fakeFetch, jsonResponse } from '#test/helpers/fake-fetch.ts';

const secrets = (value: Record<string, unknown>): SecretProvider => ({
  getJson: async () => value,
});
const system = (auth: SystemDeclaration['auth']) =>
  defineSystem({
    id: 'sys',
    displayName: 'Sys',
    apiShape: 't',
    auth,
    pagination: { style: 'next_cursor', maxPageSize: 10 },
  });

describe('createAuthenticator', () => {
  it('puts an API key in the declared header', async () => {
    const auth = createAuthenticator({
      system: system({ type: 'api_key', header: 'X-Api-Key' }),
      baseUrl: 'http://s',
      secretId: 's',
      secrets: secrets({ apiKey: 'k1' }),
    });
    expect(await auth.headers({ fetchToken: fetch })).toEqual({ 'X-Api-Key': 'k1' });
  });

  it('encodes basic credentials', async () => {
    const auth = createAuthenticator({
      system: system({ type: 'basic' }),
      baseUrl: 'http://s',
      secretId: 's',
      secrets: secrets({ username: 'u@x/token', password: 'p' }),
    });
    const headers = await auth.headers({ fetchToken: fetch });
    expect(headers.authorization).toBe(`Basic ${Buffer.from('u@x/token:p').toString('base64')}`);
  });

  it('names missing secret fields to operators only, without their values', async () => {
    const auth = createAuthenticator({
      system: system({ type: 'basic' }),
      baseUrl: 'http://s',
      secretId: 'sec',
      secrets: secrets({ username: 'only-user' }),
    });
    const error = (await auth.headers({ fetchToken: fetch }).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe('credentials_invalid');
    expect(error.operatorDetail).toContain('password');
    expect(error.operatorDetail).toContain('"sec"');
    expect(error.message).not.toContain('sec');
    expect(`${error.message}${error.operatorDetail}`).not.toContain('only-user');
  });

  it('caches an OAuth2 token until shortly before it expires', async () => {
    let now = 1_000_000;
    let issued = 0;
    const fake = fakeFetch(() =>
      jsonResponse(200, { access_token: `at-${++issued}`, expires_in: 600 }),
    );
    const auth = createAuthenticator({
      system: system({ type: 'oauth2_client_credentials', tokenPath: '/oauth/token' }),
      baseUrl: 'http://erp.test/',
      secretId: 'erp',
      secrets: secrets({ clientId: 'cid', clientSecret: 'cs' }),
      now: () => now,
    });
    const call = { fetchToken: fake.fetch };
    expect(await auth.headers(call)).toEqual({ authorization: 'Bearer at-1' });
    now += 500_000;
    expect(await auth.headers(call)).toEqual({ authorization: 'Bearer at-1' });
    now += 50_000; // 550 s: inside the renewal margin of 60 s
    expect(await auth.headers(call)).toEqual({ authorization: 'Bearer at-2' });
    expect(fake.seen).toHaveLength(2);
    expect(fake.seen[0]?.url).toBe('http://erp.test/oauth/token');
    expect(fake.seen[0]?.body).toBe('grant_type=client_credentials');
    expect(fake.seen[0]?.headers.get('authorization')).toBe(
      `Basic ${Buffer.from('cid:cs').toString('base64')}`,
    );
  });

  it('asks the identity provider for tokens when the token URL is set apart from the API host', async () => {
    const fake = fakeFetch(() => jsonResponse(200, { access_token: 'at-graph', expires_in: 3600 }));
    const auth = createAuthenticator({
      system: system({ type: 'oauth2_client_credentials', tokenPath: '/oauth2/v2.0/token' }),
      baseUrl: 'https://graph.microsoft.com',
      secretId: 'mail',
      secrets: secrets({ clientId: 'cid', clientSecret: 'cs' }),
      tokenUrl: 'https://login.microsoftonline.com/acme-tenant/oauth2/v2.0/token',
    });
    expect(await auth.headers({ fetchToken: fake.fetch })).toEqual({
      authorization: 'Bearer at-graph',
    });
    expect(fake.seen[0]?.url).toBe(
      'https://login.microsoftonline.com/acme-tenant/oauth2/v2.0/token',
    );
  });

  it('reports refused client credentials as a configuration error', async () => {
    const fake = fakeFetch(() => jsonResponse(401, { error: 'invalid_client' }));
    const auth = createAuthenticator({
      system: system({ type: 'oauth2_client_credentials', tokenPath: '/oauth/token' }),
      baseUrl: 'http://erp.test/',
      secretId: 'erp',
      secrets: secrets({ clientId: 'cid', clientSecret: 'cs' }),
    });
    const error = (await auth
      .headers({ fetchToken: fake.fetch })
      .catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe('upstream_auth_failed');
  });
});
