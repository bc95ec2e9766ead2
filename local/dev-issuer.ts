import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/** The audience of local mode's gateway: every local token is issued for it. */
export const DEV_AUDIENCE = 'toolgate-local';
const ALGORITHM = 'RS256';
/** Where local mode's OpenID provider is mounted on the gateway's HTTP server. */
export const LOCAL_ISSUER_PATH = '/_local/oidc';

/**
 * The issuer of a local mode gateway at `gatewayUrl`: its OpenID provider, and the `iss` of every
 * local token.
 *
 * @example
 * localIssuerUrl('http://127.0.0.1:3000'); // 'http://127.0.0.1:3000/_local/oidc'
 */
export const localIssuerUrl = (gatewayUrl: string): string => `${gatewayUrl}${LOCAL_ISSUER_PATH}`;

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
  /**
   * The OIDC client the token is issued to, as `azp` and `client_id` (the console's client id makes
   * it a person's session). @default none: an agent's token
   */
  clientId?: string;
  /** Overrides for tests: wrong audience, issuer, or an already expired token. */
  audience?: string;
  issuer?: string;
  issuedAt?: number;
}

export interface DevIssuer {
  issuer: string;
  audience: string;
  /** The public key set the gateway trusts. */
  jwks(): { keys: JWK[] };
  /** The same key with its private part, for the OpenID provider that signs with it. */
  signingJwks(): { keys: JWK[] };
  issue(request: TokenRequest): Promise<string>;
}

/**
 * Local mode's signing key and tokens for scripts and tests: an RSA key kept in the data directory
 * (so `npm run token` and a running gateway agree), the JWKS the gateway fetches over HTTP, and
 * tokens for demo users. Local mode's OpenID provider (local/oidc-provider.ts) signs with the same
 * key under the same issuer, so both kinds of token verify against one key set.
 *
 * @example
 * const issuer = await loadDevIssuer('.toolgate/dev-issuer.json', 'http://127.0.0.1:3000/_local/oidc');
 * const token = await issuer.issue({ sub: 'ana', roles: ['support'] });
 */
export async function loadDevIssuer(keyPath: string, issuer: string): Promise<DevIssuer> {
  const stored = await readOrCreateKey(keyPath);
  const privateKey = await importJWK(stored.privateJwk, ALGORITHM);
  const tagged = (jwk: JWK): JWK => ({ ...jwk, kid: stored.kid, alg: ALGORITHM, use: 'sig' });
  return {
    issuer,
    audience: DEV_AUDIENCE,
    jwks: () => ({ keys: [tagged(stored.publicJwk)] }),
    signingJwks: () => ({ keys: [tagged(stored.privateJwk)] }),
    async issue(request) {
      const now = request.issuedAt ?? Math.floor(Date.now() / 1000);
      const client = request.clientId ? { azp: request.clientId, client_id: request.clientId } : {};
      return new SignJWT({ roles: [...request.roles], ...client })
        .setProtectedHeader({ alg: ALGORITHM, kid: stored.kid, typ: 'JWT' })
        .setSubject(request.sub)
        .setIssuer(request.issuer ?? issuer)
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

interface RecordedIssuer {
  issuer: string;
}

/**
 * Records the issuer of the local mode that just started, so `npm run token` issues tokens it
 * accepts whatever its port.
 */
export async function recordIssuer(path: string, issuer: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const recorded: RecordedIssuer = { issuer };
  await writeFile(path, `${JSON.stringify(recorded)}\n`);
}

/**
 * The issuer the last local mode started with this data directory recorded; without one (local
 * mode never started here), that of a gateway on `PORT` (default 3000).
 *
 * @example
 * await recordedIssuer('.toolgate/issuer.json', process.env); // 'http://127.0.0.1:3000/_local/oidc'
 */
export async function recordedIssuer(
  path: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  try {
    const recorded = JSON.parse(await readFile(path, 'utf8')) as Partial<RecordedIssuer>;
    if (typeof recorded.issuer === 'string' && recorded.issuer) return recorded.issuer;
  } catch {
    // Local mode has not started with this data directory yet: the default address.
  }
  return localIssuerUrl(`http://127.0.0.1:${env.PORT || 3000}`);
}
