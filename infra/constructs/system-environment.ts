import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { systemSettingNames } from '../../layers/config/system-settings.ts';
import type { TokenExchangeConfig } from '../config/stage-config.ts';

/** Where each business system is and where its credentials live, for the stage. */
export interface SystemConnections {
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly baseUrls: Readonly<Record<string, string>>;
  /** Absolute token URLs of OAuth2 systems whose identity provider is another host. */
  readonly tokenUrls: Readonly<Record<string, string>>;
  /** Database systems reached with IAM database authentication: the database (or proxy) resource id and user. */
  readonly dbIamUsers?: Readonly<Record<string, DbIamUser>>;
  /** Systems called on behalf of the user: the gateway's OAuth client id at each. */
  readonly oauthClientIds?: Readonly<Record<string, string>>;
  /** Systems called with token exchange, and the secret of the gateway's client at the identity provider. */
  readonly exchange?: TokenExchangeConfig & { readonly secret: Secret };
}

/** `-c <system>DbIamUser=<resource id>/<user>`: an RDS instance or cluster (`db-…`, `cluster-…`) or an RDS Proxy (`prx-…`). */
export interface DbIamUser {
  readonly resourceId: string;
  readonly user: string;
}

/**
 * The environment a function needs to call `systemIds`, written the way the runtime reads it (one
 * builder for every function that calls a system); synth fails on a system without secret or URL.
 *
 * @example
 * Object.assign(environment, systemEnvironment(connections, tool.systems, `Tool ${tool.name}`));
 */
export function systemEnvironment(
  connections: SystemConnections,
  systemIds: readonly string[],
  user: string,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const systemId of systemIds) {
    const secret = connections.secrets.get(systemId);
    const baseUrl = connections.baseUrls[systemId];
    if (!secret || !baseUrl)
      throw new Error(`${user} uses system ${systemId}, which has no secret or base URL`);
    environment[systemSettingNames.baseUrl(systemId)] = baseUrl;
    environment[systemSettingNames.secretId(systemId)] = secret.secretArn;
    const tokenUrl = connections.tokenUrls[systemId];
    if (tokenUrl) environment[systemSettingNames.tokenUrl(systemId)] = tokenUrl;
    const iam = connections.dbIamUsers?.[systemId];
    if (iam) environment[systemSettingNames.dbIamUser(systemId)] = iam.user;
    Object.assign(environment, userCredentialEnvironment(connections, systemId));
    Object.assign(environment, exchangeEnvironment(connections, systemId));
  }
  return environment;
}

/**
 * The settings of a system called with token exchange (`-c <system>ExchangeAudience`,
 * `-c <system>ExchangeScope`): none for any other system.
 *
 * @example
 * exchangeEnvironment(connections, 'crm'); // { SYSTEM_CRM_CREDENTIAL: 'exchange', TOKEN_EXCHANGE_URL: '…', … }
 */
export function exchangeEnvironment(
  connections: SystemConnections,
  systemId: string,
): Record<string, string> {
  const exchange = connections.exchange;
  const target = exchange?.systems[systemId];
  if (!exchange || !target) return {};
  return {
    [systemSettingNames.credential(systemId)]: 'exchange',
    ...(target.audience
      ? { [systemSettingNames.exchangeAudience(systemId)]: target.audience }
      : {}),
    ...(target.scope ? { [systemSettingNames.exchangeScope(systemId)]: target.scope } : {}),
    TOKEN_EXCHANGE_URL: exchange.url,
    TOKEN_EXCHANGE_STYLE: exchange.style,
    TOKEN_EXCHANGE_SECRET_ID: exchange.secret.secretArn,
  };
}

/**
 * Lets a function that calls a system with token exchange read the gateway's client secret at
 * the identity provider; a function that calls none gets nothing.
 *
 * @example
 * grantExchangeSecret(fn, connections, tool.systems);
 */
export function grantExchangeSecret(
  grantee: IGrantable,
  connections: SystemConnections,
  systemIds: readonly string[],
): void {
  const exchange = connections.exchange;
  if (exchange && systemIds.some((systemId) => exchange.systems[systemId]))
    exchange.secret.grantRead(grantee);
}

/**
 * The settings of a system called on behalf of users (`-c <system>OAuthClientId`): none for a
 * system called with the service credential.
 *
 * @example
 * userCredentialEnvironment(connections, 'crm'); // { SYSTEM_CRM_CREDENTIAL: 'user', SYSTEM_CRM_OAUTH_CLIENT_ID: '…' }
 */
export function userCredentialEnvironment(
  connections: SystemConnections,
  systemId: string,
): Record<string, string> {
  const clientId = connections.oauthClientIds?.[systemId];
  if (!clientId) return {};
  return {
    [systemSettingNames.credential(systemId)]: 'user',
    [systemSettingNames.oauthClientId(systemId)]: clientId,
  };
}

/**
 * Lets a function that calls `systemIds` connect, with IAM database authentication, as the user
 * each database system names, and as no other.
 *
 * @example
 * grantDatabaseConnect(fn, connections, tool.systems);
 */
export function grantDatabaseConnect(
  grantee: IGrantable & { node: { scope?: unknown } },
  connections: SystemConnections,
  systemIds: readonly string[],
): void {
  const resourceArns = systemIds.flatMap((systemId) => {
    const iam = connections.dbIamUsers?.[systemId];
    if (!iam) return [];
    return [
      Stack.of(grantee as never).formatArn({
        service: 'rds-db',
        resource: 'dbuser',
        resourceName: `${iam.resourceId}/${iam.user}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ];
  });
  if (resourceArns.length > 0)
    Grant.addToPrincipal({ grantee, actions: ['rds-db:connect'], resourceArns });
}
