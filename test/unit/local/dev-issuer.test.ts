import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDevIssuer, localIssuerUrl, recordedIssuer, recordIssuer } from '#local/dev-issuer.ts';

describe('dev issuer', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolgate-dev-issuer-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('issues tokens under the issuer it is given, for the local audience', async () => {
    const issuer = await loadDevIssuer(join(dir, 'key.json'), 'http://127.0.0.1:4000/_local/oidc');
    const claims = decodeJwt(await issuer.issue({ sub: 'ana', roles: ['support'] }));
    expect(claims).toMatchObject({
      iss: 'http://127.0.0.1:4000/_local/oidc',
      aud: 'toolgate-local',
      sub: 'ana',
      roles: ['support'],
    });
    // An agent's token: issued to no client.
    expect(claims.azp).toBeUndefined();
    expect(claims.client_id).toBeUndefined();
  });

  it('names the client a token is issued to as azp and client_id', async () => {
    const issuer = await loadDevIssuer(join(dir, 'key.json'), localIssuerUrl('http://127.0.0.1:1'));
    const claims = decodeJwt(
      await issuer.issue({ sub: 'bea', roles: ['approver'], clientId: 'toolgate-console' }),
    );
    expect(claims).toMatchObject({ azp: 'toolgate-console', client_id: 'toolgate-console' });
  });

  it('publishes the public half of the key it signs with, the private half only for signing', async () => {
    const issuer = await loadDevIssuer(join(dir, 'key.json'), localIssuerUrl('http://127.0.0.1:1'));
    const [published] = issuer.jwks().keys;
    const [signing] = issuer.signingJwks().keys;
    expect(published?.d).toBeUndefined();
    expect(signing?.d).toEqual(expect.any(String));
    expect({ kid: signing?.kid, n: signing?.n }).toEqual({ kid: published?.kid, n: published?.n });
  });

  it('reads the issuer local mode recorded, else that of a gateway on PORT or 3000', async () => {
    const file = join(dir, 'issuer.json');
    expect(await recordedIssuer(file, {})).toBe('http://127.0.0.1:3000/_local/oidc');
    expect(await recordedIssuer(file, { PORT: '4100' })).toBe('http://127.0.0.1:4100/_local/oidc');
    await recordIssuer(file, 'http://127.0.0.1:45678/_local/oidc');
    expect(await recordedIssuer(file, { PORT: '4100' })).toBe('http://127.0.0.1:45678/_local/oidc');
  });
});
