import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { systemSettingNames } from '../../layers/config/system-settings.ts';

/** Where each business system is and where its credentials live, for the stage. */
export interface SystemConnections {
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly baseUrls: Readonly<Record<string, string>>;
  /** Absolute token URLs of OAuth2 systems whose identity provider is another host. */
  readonly tokenUrls: Readonly<Record<string, string>>;
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
  }
  return environment;
}
