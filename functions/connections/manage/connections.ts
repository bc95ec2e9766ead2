import { randomBytes } from 'node:crypto';
import type { Caller } from '#layers/auth/caller.ts';
import type { Policy } from '#layers/auth/policy.ts';
import type { UserConnections } from '#layers/composition/user-connections.ts';
import { pkcePair } from '#layers/connections/oauth-client.ts';
import { connectUrlOf } from '#layers/connections/user-credentials.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { requestBaseUrl } from '#layers/http-util/api-gateway.ts';
import { json } from '#layers/http-util/respond.ts';

export interface ConnectionsDeps {
  connections: UserConnections | undefined;
  policy: Pick<Policy, 'adminRole'>;
  publicBaseUrl?: string | undefined;
  /** @default Date.now */
  now?: () => number;
}

/** Where the system sends the browser back with the code (GET /connections/{system}/callback). */
export const callbackUrlOf = (baseUrl: string, systemId: string): string =>
  `${baseUrl}/connections/${encodeURIComponent(systemId)}/callback`;

const SUB_PATTERN = /^[A-Za-z0-9._@+-]{1,128}$/;

/**
 * GET /connections (the caller's connection to each system called on behalf of users),
 * POST /connections/{system} (starts the authorization code flow with PKCE: answers the system's
 * authorize URL; the state and verifier stay here, used once, expiring) and
 * DELETE /connections/{system} (revokes at the system and forgets; an admin names `?sub=`).
 * No token is ever in an answer.
 */
export function manageConnections(deps: ConnectionsDeps): GatewayLogic {
  const now = deps.now ?? Date.now;
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('manageConnections ran without a caller');
    const baseUrl = requestBaseUrl(event, deps.publicBaseUrl);
    const method = event.requestContext.http.method;
    const systemId = event.pathParameters?.system;
    const systems = deps.connections?.systems ?? new Map();
    if (systemId === undefined) {
      const stored = deps.connections ? await deps.connections.store.list(caller.sub) : [];
      return json(200, {
        connections: [...systems.values()].map(({ system }) => {
          const found = stored.find((connection) => connection.system === system.id);
          return {
            system: system.id,
            displayName: system.displayName,
            status: found?.status ?? 'not_connected',
            ...(found ? { connectedAt: found.connectedAt } : {}),
            ...(found?.refreshedAt ? { refreshedAt: found.refreshedAt } : {}),
            connectUrl: connectUrlOf(baseUrl, system.id),
          };
        }),
      });
    }
    const connectable = systems.get(systemId);
    if (!deps.connections || !connectable) {
      throw new NotFoundError(
        'connection_not_found',
        `"${systemId.slice(0, 64)}" is not a system called on behalf of users. GET /connections lists those you can connect.`,
      );
    }
    const { store } = deps.connections;
    if (method === 'DELETE') {
      const sub = subjectOf(event.queryStringParameters?.sub, caller, deps.policy);
      context.gateway.input = { system: systemId, sub };
      const removed = await store.remove(sub, systemId);
      deps.connections.credentials.forget(systemId, sub);
      if (!removed) {
        throw new NotFoundError(
          'connection_not_found',
          `${sub === caller.sub ? 'You have' : `${sub} has`} no connection to ${connectable.system.displayName}.`,
        );
      }
      // Revoking the refresh token ends the whole grant at the system; best effort.
      const token = removed.tokens?.refreshToken ?? removed.tokens?.accessToken;
      if (token) await connectable.oauth.revoke(token);
      return { statusCode: 204, headers: {}, body: '' };
    }
    context.gateway.input = { system: systemId };
    const state = randomBytes(24).toString('base64url');
    const { verifier, challenge } = pkcePair();
    const redirectUri = callbackUrlOf(baseUrl, systemId);
    const expiresAt = now() + deps.connections.connectTtlSeconds * 1000;
    await store.putPending(state, {
      sub: caller.sub,
      system: systemId,
      verifier,
      redirectUri,
      expiresAt,
    });
    return json(201, {
      authorizeUrl: connectable.oauth.authorizeUrl({
        redirectUri,
        state,
        challenge,
        loginHint: caller.sub,
      }),
      expiresAt: new Date(expiresAt).toISOString(),
    });
  };
}

/** Whose connection a DELETE revokes: the caller's own, or, for an admin, `?sub=`. */
function subjectOf(sub: string | undefined, caller: Caller, policy: Pick<Policy, 'adminRole'>) {
  if (sub === undefined || sub === caller.sub) return caller.sub;
  if (!SUB_PATTERN.test(sub)) {
    throw new ValidationError('The query parameter sub must be a user id.', {
      issues: [{ path: 'sub', message: 'must be 1 to 128 letters, digits or . _ @ + -' }],
    });
  }
  if (!caller.roles.includes(policy.adminRole)) {
    throw new ForbiddenError(
      `Only the ${policy.adminRole} role revokes another user's connection; call without ?sub= to revoke your own.`,
    );
  }
  return sub;
}
