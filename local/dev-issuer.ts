import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/** The local dev issuer's fixed identity; local mode's gateway trusts exactly this. */
export const DEV_ISSUER = 'https://dev-issuer.toolgate.local';
export const DEV_AUDIENCE = 'toolgate-local';
const ALGORITHM = 'RS256';

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface TokenRequest {
  sub: string;
  roles: readonly string[];
  /** Lifetime in seconds. @default 3600 */
  expiresInSeconds?: number;
  /** Overrides for tests: wrong audience, issuer, or an already expired token. */
  audience?: string;
  issuer?: string;
  issuedAt?: number;
}

export interface DevIssuer {
  issuer: string;
  audience: string;
  jwks(): { keys: JWK[] };
  issue(request: TokenRequest): Promise<string>;
}

/**
 * Local mode's OIDC stand-in: an RSA key kept in the data directory (so `npm run token` and a
 * running gateway agree), a JWKS the gateway fetches over HTTP, and tokens for demo users.
 *
 * @example
 * const issuer = await loadDevIssuer('.toolgate/dev-issuer.json');
 * const token = await issuer.issue({ sub: 'ana', roles: ['support'] });
 */
export async function loadDevIssuer(keyPath: string): Promise<DevIssuer> {
  const stored = await readOrCreateKey(keyPath);
  const privateKey = await importJWK(stored.privateJwk, ALGORITHM);
  return {
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    jwks: () => ({ keys: [{ ...stored.publicJwk, kid: stored.kid, alg: ALGORITHM, use: 'sig' }] }),
    async issue(request) {
      const now = request.issuedAt ?? Math.floor(Date.now() / 1000);
      return new SignJWT({ roles: [...request.roles] })
        .setProtectedHeader({ alg: ALGORITHM, kid: stored.kid, typ: 'JWT' })
        .setSubject(request.sub)
        .setIssuer(request.issuer ?? DEV_ISSUER)
        .setAudience(request.audience ?? DEV_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + (request.expiresInSeconds ?? 3600))
        .sign(privateKey);
    },
  };
}

async function readOrCreateKey(keyPath: string): Promise<StoredKey> {
  try {
    return JSON.parse(await readFile(keyPath, 'utf8')) as StoredKey;
  } catch {
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const stored: StoredKey = {
      kid: `dev-${Date.now().toString(36)}`,
      privateJwk: await exportJWK(privateKey),
      publicJwk: await exportJWK(publicKey),
    };
    await mkdir(dirname(keyPath), { recursive: true });
    try {
      await writeFile(keyPath, JSON.stringify(stored), { flag: 'wx', mode: 0o600 });
      return stored;
    } catch {
      // Someone else created it first: use theirs.
      return JSON.parse(await readFile(keyPath, 'utf8')) as StoredKey;
    }
  }
}
