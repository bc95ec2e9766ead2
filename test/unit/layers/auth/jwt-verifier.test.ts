import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallerResolver, createJwtVerifier, parseRoles } from '#layers/auth/jwt-verifier.ts';
import type { AppError } from '#layers/errors/index.ts';
import { type DevIssuer, loadDevIssuer } from '#local/dev-issuer.ts';
import { serveJwks } from '#test/helpers/jwks-server.ts';

describe('createJwtVerifier', () => {
  let issuer: DevIssuer;
  let stranger: DevIssuer;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let verifier: CallerResolver;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolgate-jwt-'));
    issuer = await loadDevIssuer(join(dir, 'issuer.json'));
    stranger = await loadDevIssuer(join(dir, 'stranger.json'));
    jwks = await serveJwks(() => issuer.jwks());
    verifier = createJwtVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUrl: jwks.url,
      algorithms: ['RS256'],
      rolesClaim: 'roles',
    });
  });
  afterAll(() => jwks.close());

  const rejection = (token: string) =>
    verifier.fromToken(token).then(
      () => {
        throw new Error('expected the token to be refused');
      },
      (error: unknown) => error as AppError,
    );

  it('returns the caller with roles for a valid token', async () => {
    const token = await issuer.issue({ sub: 'ana', roles: ['support', 'sales'] });
    await expect(verifier.fromToken(token)).resolves.toEqual({
      sub: 'ana',
      roles: ['support', 'sales'],
    });
  });

  it('refuses an expired token with token_expired', async () => {
    const token = await issuer.issue({
      sub: 'ana',
      roles: [],
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
      expiresInSeconds: 60,
    });
    const error = await rejection(token);
    expect(error.code).toBe('token_expired');
    expect(error.statusCode).toBe(401);
  });

  it('refuses a token for another audience, saying which claim', async () => {
    const error = await rejection(
      await issuer.issue({ sub: 'ana', roles: [], audience: 'other-api' }),
    );
    expect(error.code).toBe('invalid_token');
    expect(error.message).toContain('"aud"');
  });

  it('refuses a token from another issuer', async () => {
    const error = await rejection(
      await issuer.issue({ sub: 'ana', roles: [], issuer: 'https://evil.example' }),
    );
    expect(error.message).toContain('"iss"');
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    const forged = await stranger.issue({ sub: 'ana', roles: ['admin'] });
    const error = await rejection(forged);
    expect(error.code).toBe('invalid_token');
    expect(error.message).toContain('signature');
  });

  it('refuses an algorithm that is not allowed', async () => {
    const hs256 = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ana')
      .setIssuer(issuer.issuer)
      .setAudience(issuer.audience)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a-shared-secret-of-enough-length!'));
    const error = await rejection(hs256);
    expect(error.code).toBe('invalid_token');
    expect(error.message).toContain('algorithm');
  });

  it("answers 503, not 401, when the issuer's keys cannot be fetched", async () => {
    const closed = await serveJwks(() => issuer.jwks());
    await closed.close();
    const unreachable = createJwtVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUrl: closed.url,
      algorithms: ['RS256'],
      rolesClaim: 'roles',
    });
    const error = (await unreachable
      .fromToken(await issuer.issue({ sub: 'ana', roles: [] }))
      .catch((caught: unknown) => caught)) as AppError;
    expect(error.statusCode).toBe(503);
    expect(error.code).toBe('upstream_unavailable');
  });

  it('refuses garbage', async () => {
    expect((await rejection('not-a-jwt')).code).toBe('invalid_token');
  });
});

describe('parseRoles', () => {
  it('reads arrays, JSON arrays, API Gateway arrays and separated strings', () => {
    expect(parseRoles(['a', 'b', 3])).toEqual(['a', 'b']);
    expect(parseRoles('["a","b"]')).toEqual(['a', 'b']);
    expect(parseRoles('[a b]')).toEqual(['a', 'b']);
    expect(parseRoles('a, b')).toEqual(['a', 'b']);
    expect(parseRoles(undefined)).toEqual([]);
  });
});
