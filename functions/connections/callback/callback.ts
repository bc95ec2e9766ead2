import type { UserConnections } from '#layers/composition/user-connections.ts';
import { ConnectFailedError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { requestBaseUrl } from '#layers/http-util/api-gateway.ts';
import type { ToolLogger } from '#layers/observability/tool-logger.ts';

export interface CallbackDeps {
  connections: UserConnections | undefined;
  logger: Pick<ToolLogger, 'info'>;
  publicBaseUrl?: string | undefined;
  /** @default Date.now */
  now?: () => number;
}

const startAgain = (name: string) =>
  `Start again from the Connections page (GET /connections names its connectUrl for ${name}).`;

/**
 * GET /connections/{system}/callback: where the system sends the browser back after the user's
 * consent. No bearer token (a browser redirect carries none): the state, made by
 * POST /connections/{system} for one user, used once and expiring, is the proof. The code is
 * exchanged with the PKCE verifier kept here, the tokens are stored, and the browser goes on to
 * the console's Connections page. Each callback is audited (route `GET /connections/{system}/callback`):
 * under the person the state was made for once it is taken, `anonymous` while it is not.
 */
export function connectionCallback(deps: CallbackDeps): GatewayLogic {
  const now = deps.now ?? Date.now;
  return async (event, context) => {
    const systemId = event.pathParameters?.system ?? '';
    context.gateway.input = { system: systemId.slice(0, 64) };
    const connectable = deps.connections?.systems.get(systemId);
    const name = connectable?.system.displayName ?? 'the system';
    const query = event.queryStringParameters ?? {};
    const pending = query.state
      ? await deps.connections?.store.takePending(query.state)
      : undefined;
    if (
      !deps.connections ||
      !connectable ||
      !pending ||
      pending.system !== systemId ||
      pending.expiresAt < now()
    ) {
      throw new ConnectFailedError(
        'connect_state_invalid',
        `This sign-in was already used, has expired, or was not started here. ${startAgain(name)}`,
      );
    }
    // The audit record names the person the state was made for: the state is the proof of who it is.
    context.gateway.caller = { sub: pending.sub, roles: [] };
    if (query.error || !query.code) {
      throw new ConnectFailedError(
        'connect_denied',
        `${name} did not give access${query.error === 'access_denied' ? ': the user said no' : ''}. ${startAgain(name)}`,
      );
    }
    const tokens = await connectable.oauth.exchangeCode(
      query.code,
      pending.verifier,
      pending.redirectUri,
    );
    const replaced = await deps.connections.store.connect(
      pending.sub,
      systemId,
      tokens,
      new Date(now()),
    );
    deps.connections.credentials.forget(systemId, pending.sub);
    // A new connection over an old one ends the old grant at the system, so no token of it lives on.
    const old = replaced?.tokens?.refreshToken ?? replaced?.tokens?.accessToken;
    if (old) await connectable.oauth.revoke(old);
    deps.logger.info('user connected a system', { system: systemId, sub: pending.sub });
    const baseUrl = requestBaseUrl(event, deps.publicBaseUrl);
    return {
      statusCode: 303,
      headers: {
        location: `${baseUrl}/console/connections?connected=${encodeURIComponent(systemId)}`,
        'cache-control': 'no-store',
      },
      body: '',
    };
  };
}
