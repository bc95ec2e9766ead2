import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { type AppError, AuthenticationError, UpstreamUnavailableError } from '../errors/index.ts';
import type { Caller } from '../tools/define.ts';

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
  algorithms: readonly string[];
  rolesClaim: string;
}

/** Turns a bearer token or already-verified claims into a Caller. */
export interface CallerResolver {
  fromToken(token: string): Promise<Caller>;
  fromClaims(claims: Record<string, unknown>): Caller;
}

/**
 * Verifies bearer JWTs against the issuer's JWKS: signature, algorithm, issuer, audience, expiry.
 * The JWKS is fetched once and cached by jose.
 *
 * @example
 * const verifier = createJwtVerifier({ issuer, audience, jwksUrl, algorithms: ['RS256'], rolesClaim: 'roles' });
 * const caller = await verifier.fromToken(token); // throws AuthenticationError saying why
 */
export function createJwtVerifier(options: JwtVerifierOptions): CallerResolver {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cacheMaxAge: 10 * 60_000 });
  const fromClaims = (claims: Record<string, unknown>): Caller => {
    const sub = typeof claims.sub === 'string' ? claims.sub : '';
    if (!sub) throw new AuthenticationError('invalid_token', 'The token has no subject (sub).');
    return { sub, roles: parseRoles(claims[options.rolesClaim]) };
  };
  return {
    fromClaims,
    async fromToken(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [...options.algorithms],
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (error) {
        throw explain(error, options);
      }
      return fromClaims(payload as Record<string, unknown>);
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
  if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
    // The issuer's keys could not be fetched: not the caller's fault.
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
