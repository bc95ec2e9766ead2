import type { CallerResolver } from '../auth/jwt-verifier.ts';
import { AuthenticationError } from '../errors/index.ts';
import { header } from '../http-util/api-gateway.ts';
import type { GatewayMiddleware, GatewayRequest } from './types.ts';

/**
 * Establishes the caller. Behind API Gateway's JWT authorizer the claims arrive verified in the
 * event; without it (local mode) the bearer token is verified here with the same checks.
 */
export function authenticate(options: { resolver: CallerResolver }): GatewayMiddleware {
  const before = async (request: GatewayRequest) => {
    const claims = request.event.requestContext?.authorizer?.jwt?.claims;
    if (claims) {
      request.context.gateway.caller = options.resolver.fromClaims(claims);
      return;
    }
    const authorization = header(request.event, 'authorization');
    if (!authorization) {
      throw new AuthenticationError(
        'missing_token',
        'This call needs a bearer token: send "Authorization: Bearer <JWT>" from the configured issuer.',
      );
    }
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) {
      throw new AuthenticationError(
        'invalid_token',
        'The Authorization header must be "Bearer <JWT>".',
      );
    }
    request.context.gateway.caller = await options.resolver.fromToken(match[1]);
  };
  return { before };
}
