import {
  createRemoteJWKSet,
  customFetch,
  errors,
  type FetchImplementation,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { type AppError, AuthenticationError, UpstreamUnavailableError } from '../errors/index.ts';
import type { Caller } from './caller.ts';

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
  algorithms: readonly string[];
  rolesClaim: string;
  /** How far the issuer's clock may be from ours, for `exp`, `nbf` and `iat`. @default 60 */
  clockToleranceSeconds?: number;
  /** The current time. @default the system clock */
  now?: () => Date;
  /** Tokens whose verification this instance remembers until they expire. @default 1000 */
  verifiedTokens?: number;
}

/** Turns a bearer token or already-verified claims into a Caller. */
export interface CallerResolver {
  fromToken(token: string): Promise<Caller>;
  fromClaims(claims: Record<string, unknown>): Caller;
}

/** The key endpoint failed (no answer, not 200, not JSON): a token may be valid, so never a 401. */
class JwksUnavailable extends Error {}

/**
 * Fetches the JWKS as jose would, but marks every failure of the endpoint as such: jose reports a
 * 5xx or an HTML page with the same generic error class as a bad token.
 */
const fetchJwks: FetchImplementation = async (url, options) => {
  let response: Response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    // jose turns a TimeoutError into JWKSTimeout; anything else is the network.
    if ((error as Error).name === 'TimeoutError') throw error;
    throw new JwksUnavailable('JWKS request failed', { cause: error });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new JwksUnavailable(`JWKS answered HTTP ${response.status}`);
  }
  const text = await response.text();
  try {
    JSON.parse(text);
  } catch (error) {
    throw new JwksUnavailable('JWKS answered something that is not JSON', { cause: error });
  }
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
};

/**
 * Verifies bearer JWTs against the issuer's JWKS: signature, algorithm, issuer, audience, expiry,
 * not before, and an issue time not in the future (each within the clock tolerance). The JWKS is
 * fetched once and cached by jose; when it cannot be fetched the answer is a 503, never a 401.
 *
 * @example
 * const verifier = createJwtVerifier({ issuer, audience, jwksUrl, algorithms: ['RS256'], rolesClaim: 'roles' });
 * const caller = await verifier.fromToken(token); // throws AuthenticationError saying why
 */
export function createJwtVerifier(options: JwtVerifierOptions): CallerResolver {
  // Made on the first token to verify, not at cold start: a function behind API Gateway's JWT
  // authorizer gets verified claims and may never need it, and making it costs a cold start time.
  let keySet: ReturnType<typeof createRemoteJWKSet> | undefined;
  const jwks: JWTVerifyGetKey = (...args) => {
    keySet ??= createRemoteJWKSet(new URL(options.jwksUrl), {
      cacheMaxAge: 10 * 60_000,
      [customFetch]: fetchJwks,
    });
    return keySet(...args);
  };
  const tolerance = options.clockToleranceSeconds ?? 60;
  const now = options.now ?? (() => new Date());
  const issuedInTheFuture = (iat: unknown, at: Date) => {
    // jose checks iat only against a maximum age; a token from the future is forged or
    // mis-clocked, and would outlive its intended lifetime. API Gateway hands claims over as text.
    const ahead = Number(iat ?? 0) - at.getTime() / 1000;
    if (ahead > tolerance) {
      throw new AuthenticationError(
        'invalid_token',
        `The bearer token's "iat" (issued at) is ${Math.ceil(ahead)} s in the future, beyond the ${tolerance} s of clock skew allowed: check the issuer's clock and get a new token.`,
      );
    }
  };
  const fromClaims = (claims: Record<string, unknown>, at = now()): Caller => {
    const sub = typeof claims.sub === 'string' ? claims.sub : '';
    if (!sub) throw new AuthenticationError('invalid_token', 'The token has no subject (sub).');
    issuedInTheFuture(claims.iat, at);
    const clientId = [claims.azp, claims.client_id].find(
      (value): value is string => typeof value === 'string' && value.length > 0,
    );
    return {
      sub,
      roles: parseRoles(claims[options.rolesClaim]),
      ...(clientId ? { clientId } : {}),
    };
  };
  // An agent sends the same token on every call until it expires: verifying its signature again
  // (RS256, about a tenth of a millisecond of CPU) would only repeat the same answer.
  const verified = new Map<string, { caller: Caller; expiresAt: number }>();
  const remember = Math.max(0, options.verifiedTokens ?? 1000);
  return {
    fromClaims: (claims) => fromClaims(claims),
    async fromToken(token) {
      let payload: JWTPayload;
      const currentDate = now();
      const known = verified.get(token);
      // Accepted while jose would accept it: until `exp`, plus the clock tolerance.
      if (known && currentDate.getTime() < known.expiresAt) return known.caller;
      if (known) verified.delete(token);
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [...options.algorithms],
          requiredClaims: ['exp', 'sub'],
          clockTolerance: tolerance,
          currentDate,
        }));
      } catch (error) {
        throw explain(error, options);
      }
      const caller = fromClaims(payload as Record<string, unknown>, currentDate);
      if (remember > 0) {
        // The oldest entry goes first (a Map keeps insertion order).
        if (verified.size >= remember) verified.delete(verified.keys().next().value as string);
        verified.set(token, { caller, expiresAt: ((payload.exp ?? 0) + tolerance) * 1000 });
      }
      return caller;
    },
  };
}

/**
 * Roles as API Gateway or an IdP may deliver them: an array, a JSON array string, or a space or
 * comma separated string.
 */
export function parseRoles(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  if (typeof value !== 'string') return [];
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      return parseRoles(JSON.parse(trimmed));
    } catch {
      // API Gateway renders arrays as "[a b]"; fall through to splitting.
    }
  }
  return trimmed
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

function explain(error: unknown, options: JwtVerifierOptions): AppError {
  if (
    error instanceof JwksUnavailable ||
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError)
  ) {
    // The issuer's keys could not be fetched or read: not the caller's fault.
    return new UpstreamUnavailableError(
      "The gateway cannot reach the token issuer's keys (JWKS) right now, so it cannot check your token. Try again shortly.",
      { retryAfterMs: 5000 },
    );
  }
  if (error instanceof errors.JWTExpired) {
    return new AuthenticationError('token_expired', 'The bearer token has expired. Get a new one.');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    const expected =
      claim === 'iss'
        ? ` (expected ${options.issuer})`
        : claim === 'aud'
          ? ` (expected ${options.audience})`
          : '';
    return new AuthenticationError(
      'invalid_token',
      `The bearer token's "${claim}" claim is not accepted${expected}. Get a token issued for this gateway.`,
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AuthenticationError(
      'invalid_token',
      `The bearer token is signed with an algorithm this gateway does not accept (allowed: ${options.algorithms.join(', ')}).`,
    );
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey
  ) {
    return new AuthenticationError(
      'invalid_token',
      "The bearer token's signature does not verify against the issuer's keys. Get a token from the configured issuer.",
    );
  }
  return new AuthenticationError(
    'invalid_token',
    'The bearer token is malformed or cannot be verified. Send "Authorization: Bearer <JWT>" with a token from the configured issuer.',
  );
}
