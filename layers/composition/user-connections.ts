import type { createDocumentClient } from '../aws/clients.ts';
import type { RuntimeEnv } from '../config/env.ts';
import { type SystemSettings, systemSettingNames } from '../config/system-settings.ts';
import { DynamoConnectionStore } from '../connections/connection-store.ts';
import { userOAuthClient } from '../connections/oauth-client.ts';
import { type ConnectableSystem, UserCredentials } from '../connections/user-credentials.ts';
import { effectiveCredential, type SystemDefinition } from '../connectors/system-definition.ts';
import { logger } from '../observability/logger.ts';

/** What the gateway needs for calls on behalf of users: the systems, their tokens, the store. */
export interface UserConnections {
  systems: ReadonlyMap<string, ConnectableSystem>;
  store: DynamoConnectionStore;
  credentials: UserCredentials;
  /** How long a started connection may be completed (CONNECT_TTL_SECONDS). */
  connectTtlSeconds: number;
}

/**
 * The systems this deployment calls on behalf of users (`SYSTEM_<ID>_CREDENTIAL=user`, else the
 * system's own `credential`), with the gateway's OAuth client at each; undefined when there are
 * none. A system set to `user` that cannot be (no `userAuth`, no base URL or OAuth client id, no
 * connections table) fails the cold start, every problem named at once.
 *
 * @example
 * const connections = userConnections({ env, systemSettings, dynamo, systems });
 * connections?.credentials.covers('crm'); // true
 */
export function userConnections(options: {
  env: RuntimeEnv;
  systemSettings: ReadonlyMap<string, SystemSettings>;
  dynamo: ReturnType<typeof createDocumentClient>;
  systems: readonly SystemDefinition[];
}): UserConnections | undefined {
  const { env, systemSettings } = options;
  const problems: string[] = [];
  const connectable = new Map<string, ConnectableSystem>();
  for (const system of options.systems) {
    const configured = systemSettings.get(system.id);
    if (effectiveCredential(system, configured) !== 'user') continue;
    const setting = systemSettingNames.credential(system.id);
    if (!system.userAuth) {
      problems.push(`${setting}=user, but ${system.id} declares no userAuth (how a user connects)`);
      continue;
    }
    if (!configured?.baseUrl || !configured.oauthClientId) {
      problems.push(
        `${setting}=user needs ${systemSettingNames.baseUrl(system.id)} and ${systemSettingNames.oauthClientId(system.id)}`,
      );
      continue;
    }
    connectable.set(system.id, {
      system,
      oauth: userOAuthClient({
        system,
        userAuth: system.userAuth,
        baseUrl: configured.baseUrl,
        clientId: configured.oauthClientId,
        timeoutMs: configured.timeoutMs ?? env.UPSTREAM_TIMEOUT_MS,
      }),
    });
  }
  if (connectable.size > 0 && !env.CONNECTIONS_TABLE_NAME)
    problems.push('CONNECTIONS_TABLE_NAME must be set when a system is called on behalf of users');
  if (problems.length > 0) throw new Error(`Invalid per-user credentials: ${problems.join('; ')}`);
  if (connectable.size === 0 || !env.CONNECTIONS_TABLE_NAME) return undefined;
  const store = new DynamoConnectionStore({
    client: options.dynamo,
    tableName: env.CONNECTIONS_TABLE_NAME,
  });
  return {
    systems: connectable,
    store,
    credentials: new UserCredentials({ store, systems: connectable, logger }),
    connectTtlSeconds: env.CONNECT_TTL_SECONDS,
  };
}
