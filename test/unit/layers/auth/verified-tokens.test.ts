import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJwtVerifier } from '#layers/auth/jwt-verifier.ts';
import type { AppError } from '#layers/errors/index.ts';
import { type DevIssuer, loadDevIssuer, localIssuerUrl } from '#local/dev-issuer.ts';
import { serveJwks } from '#test/helpers/jwks-server.ts';

// Count the signature checks: the verifier under test calls jose's jwtVerify.
vi.mock('jose', async (original) => {
  const actual = await original<typeof import('jose')>();
  return { ...actual, jwtVerify: vi.fn(actual.jwtVerify) };
});

describe('verified tokens', () => {
  let issuer: DevIssuer;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let clock: Date;
  const verifier = (verifiedTokens?: number) =>
    createJwtVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUrl: jwks.url,
      algorithms: ['RS256'],
      rolesClaim: 'roles',
      clockToleranceSeconds: 60,
      now: () => clock,
      ...(verifiedTokens === undefined ? {} : { verifiedTokens }),
    });

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolgate-jwt-cache-'));
    issuer = await loadDevIssuer(join(dir, 'issuer.json'), localIssuerUrl('http://127.0.0.1:3000'));
    jwks = await serveJwks(() => issuer.jwks());
  });
  afterAll(() => jwks.close());
  beforeEach(() => {
    clock = new Date();
    vi.mocked(jose.jwtVerify).mockClear();
  });

  it('checks a token once and answers its caller again without a second signature check', async () => {
    const resolver = verifier();
    const token = await issuer.issue({ sub: 'ana', roles: ['support'] });

    const first = await resolver.fromToken(token);
    const again = await resolver.fromToken(token);

    expect(again).toEqual(first);
    expect(first).toMatchObject({ sub: 'ana', roles: ['support'] });
    expect(jose.jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered token once it expires (beyond the clock tolerance)', async () => {
    const resolver = verifier();
    const token = await issuer.issue({ sub: 'ana', roles: [], expiresInSeconds: 120 });
    await resolver.fromToken(token);

    clock = new Date(clock.getTime() + 170_000);
    await expect(resolver.fromToken(token)).resolves.toMatchObject({ sub: 'ana' });
    clock = new Date(clock.getTime() + 20_000);
    const error = await resolver.fromToken(token).catch((refused: AppError) => refused);

    expect((error as AppError).code).toBe('token_expired');
    expect(jose.jwtVerify).toHaveBeenCalledTimes(2);
  });

  it('remembers only what it is given room for, and nothing with 0', async () => {
    const none = verifier(0);
    const token = await issuer.issue({ sub: 'ana', roles: [] });
    await none.fromToken(token);
    await none.fromToken(token);
    expect(jose.jwtVerify).toHaveBeenCalledTimes(2);

    vi.mocked(jose.jwtVerify).mockClear();
    const one = verifier(1);
    const other = await issuer.issue({ sub: 'ben', roles: [] });
    await one.fromToken(token);
    await one.fromToken(other);
    await one.fromToken(token);
    expect(jose.jwtVerify).toHaveBeenCalledTimes(3);
  });

  it('never remembers a refused token', async () => {
    const resolver = verifier();
    const token = await issuer.issue({ sub: 'ana', roles: [] });
    const forged = `${token.slice(0, -4)}AAAA`;

    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await resolver.fromToken(forged).catch((refused: AppError) => refused);
      expect((error as AppError).code).toBe('invalid_token');
    }
    expect(jose.jwtVerify).toHaveBeenCalledTimes(2);
  });
});
