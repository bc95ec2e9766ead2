import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallerResolver,
  createJwtVerifier,
  type JwtVerifierOptions,
  parseRoles,
} from '#layers/auth/jwt-verifier.ts';
import type { AppError } from '#layers/errors/index.ts';
import { type DevIssuer, loadDevIssuer, localIssuerUrl } from '#local/dev-issuer.ts';
import { serveJwks } from '#test/helpers/jwks-server.ts';

const ISSUER = localIssuerUrl('http://127.0.0.1:3000');

/** A verifier of the issuer's RS256 tokens, keys fetched from `jwksUrl`. */
const verifierOf = (
  issuer: DevIssuer,
  jwksUrl: string,
  extra: Partial<JwtVerifierOptions> = {},
): CallerResolver =>
  createJwtVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUrl,
    algorithms: ['RS256'],
    rolesClaim: 'roles',
    ...extra,
  });

describe('createJwtVerifier', () => {
  let issuer: DevIssuer;
  let stranger: DevIssuer;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let verifier: CallerResolver;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolgate-jwt-'));
    issuer = await loadDevIssuer(join(dir, 'issuer.json'), ISSUER);
    stranger = await loadDevIssuer(join(dir, 'stranger.json'), ISSUER);
    jwks = await serveJwks(() => issuer.jwks());
    verifier = verifierOf(issuer, jwks.url);
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
    const unreachable = verifierOf(issuer, closed.url);
    const error = (await unreachable
      .fromToken(await issuer.issue({ sub: 'ana', roles: [] }))
      .catch((caught: unknown) => caught)) as AppError;
    expect(error.statusCode).toBe(503);
    expect(error.code).toBe('upstream_unavailable');
  });

  it('refuses garbage', async () => {
    expect((await rejection('not-a-jwt')).code).toBe('invalid_token');
  });

  describe('with a clock skew of 60 s', () => {
    const now = new Date('2026-11-23T10:00:00.000Z');
    const at = (offsetSeconds: number) => Math.floor(now.getTime() / 1000) + offsetSeconds;
    const skewed = () =>
      verifierOf(issuer, jwks.url, { clockToleranceSeconds: 60, now: () => now });

    it('refuses a token issued further in the future than the skew, saying so', async () => {
      const token = await issuer.issue({ sub: 'ana', roles: [], issuedAt: at(600) });

      const error = (await skewed()
        .fromToken(token)
        .catch((caught: unknown) => caught)) as AppError;

      expect(error.statusCode).toBe(401);
      expect(error.code).toBe('invalid_token');
      expect(error.message).toContain('"iat"');
      expect(error.message).toContain('600 s in the future');
      expect(error.message).toContain('60 s');
    });

    it('refuses claims verified by API Gateway whose iat is beyond the skew, as text or number', () => {
      const resolver = skewed();

      expect(() => resolver.fromClaims({ sub: 'ana', iat: String(at(600)) })).toThrow(
        /"iat" \(issued at\) is 600 s in the future/,
      );
      expect(() => resolver.fromClaims({ sub: 'ana', iat: at(61) })).toThrow(/in the future/);
      expect(resolver.fromClaims({ sub: 'ana', iat: String(at(30)), roles: '[sales]' })).toEqual({
        sub: 'ana',
        roles: ['sales'],
      });
    });

    it('accepts a token issued in the future within the skew', async () => {
      const token = await issuer.issue({ sub: 'ana', roles: [], issuedAt: at(45) });

      await expect(skewed().fromToken(token)).resolves.toMatchObject({ sub: 'ana' });
    });

    it('accepts a token expired within the skew, and refuses one expired beyond it', async () => {
      const recent = await issuer.issue({
        sub: 'ana',
        roles: [],
        issuedAt: at(-3630),
        expiresInSeconds: 3600,
      });
      const old = await issuer.issue({
        sub: 'ana',
        roles: [],
        issuedAt: at(-3700),
        expiresInSeconds: 3600,
      });

      await expect(skewed().fromToken(recent)).resolves.toMatchObject({ sub: 'ana' });
      await expect(skewed().fromToken(old)).rejects.toMatchObject({ code: 'token_expired' });
    });
  });
});

describe('createJwtVerifier when the key endpoint fails', () => {
  let issuer: DevIssuer;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolgate-jwks-'));
    issuer = await loadDevIssuer(join(dir, 'issuer.json'), ISSUER);
    jwks = await serveJwks(() => issuer.jwks());
  });
  afterEach(() => jwks.fail(undefined));
  afterAll(() => jwks.close());

  // A fresh verifier each time: jose keeps the keys it fetched.
  const verifier = () => verifierOf(issuer, jwks.url);
  const outcome = async (resolver: CallerResolver, token: string) =>
    resolver.fromToken(token).then(
      () => undefined,
      (error: unknown) => error as AppError,
    );

  it.each([
    { what: 'a 500', fault: { status: 500, body: 'Internal Server Error' } },
    { what: 'a 502', fault: { status: 502, body: '<html>Bad Gateway</html>' } },
    { what: 'a 503', fault: { status: 503, body: '{"error":"maintenance"}' } },
    { what: 'a 404', fault: { status: 404, body: 'Not Found' } },
    {
      what: 'a 200 that is not JSON',
      fault: { status: 200, body: '<html>sign in</html>', contentType: 'text/html' },
    },
    {
      what: 'a 200 whose JSON is not a key set',
      fault: { status: 200, body: '{"keys":"none"}', contentType: 'application/json' },
    },
  ])(
    "answers 503 upstream_unavailable with a retry time, not 401, when the issuer's keys answer $what",
    async ({ fault }) => {
      jwks.fail(fault);

      const error = await outcome(verifier(), await issuer.issue({ sub: 'ana', roles: [] }));

      expect(error?.statusCode).toBe(503);
      expect(error?.code).toBe('upstream_unavailable');
      expect(error?.retryAfterMs).toBeGreaterThan(0);
      expect(error?.message).toContain('JWKS');
    },
  );

  it('still refuses a malformed token with 401 while the key endpoint fails', async () => {
    jwks.fail({ status: 500, body: 'down' });

    const error = await outcome(verifier(), 'not-a-jwt');

    expect(error?.statusCode).toBe(401);
    expect(error?.code).toBe('invalid_token');
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
