import type { RuntimeEnv } from '../config/env.ts';
import { type SystemSettings, systemSettingNames } from '../config/system-settings.ts';
import { ExchangedCredentials, type ExchangeSystem } from '../connections/exchanged-credentials.ts';
import { tokenExchanger } from '../connections/token-exchange.ts';
import { effectiveCredential, type SystemDefinition } from '../connectors/system-definition.ts';
import { logger } from '../observability/logger.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The systems this deployment calls with a token exchanged for the caller's own
 * (`SYSTEM_<ID>_CREDENTIAL=exchange`), and the gateway's client that exchanges them at
 * TOKEN_EXCHANGE_URL; undefined when there are none. A missing setting fails the cold start, every
 * problem named at once. The audience asked for defaults to the system's id.
 *
 * @example
 * const exchanged = exchangedCredentials({ env, systemSettings, systems, secrets });
 * exchanged?.covers('crm'); // true
 */
export function exchangedCredentials(options: {
  env: RuntimeEnv;
  systemSettings: ReadonlyMap<string, SystemSettings>;
  systems: readonly SystemDefinition[];
  secrets: SecretProvider;
}): ExchangedCredentials | undefined {
  const { env, systemSettings } = options;
  const problems: string[] = [];
  const exchanged = new Map<string, ExchangeSystem>();
  for (const system of options.systems) {
    const configured = systemSettings.get(system.id);
    if (effectiveCredential(system, configured) !== 'exchange') continue;
    const scope = configured?.exchangeScope;
    if (env.TOKEN_EXCHANGE_STYLE === 'entra_obo' && !scope)
      problems.push(
        `${systemSettingNames.exchangeScope(system.id)} must name the system's scope (e.g. api://<app id>/.default) when TOKEN_EXCHANGE_STYLE=entra_obo`,
      );
    exchanged.set(system.id, {
      system,
      target: { audience: configured?.exchangeAudience ?? system.id, scope },
    });
  }
  if (exchanged.size === 0) return undefined;
  if (!env.TOKEN_EXCHANGE_URL)
    problems.push('TOKEN_EXCHANGE_URL must be set when a system is called with token exchange');
  if (!env.TOKEN_EXCHANGE_SECRET_ID)
    problems.push(
      'TOKEN_EXCHANGE_SECRET_ID must be set when a system is called with token exchange',
    );
  const url = URL.parse(env.TOKEN_EXCHANGE_URL ?? '');
  if (url?.protocol === 'http:' && !LOOPBACK.has(url.hostname))
    problems.push('TOKEN_EXCHANGE_URL must be https (plain http only on a loopback address)');
  if (problems.length > 0 || !env.TOKEN_EXCHANGE_URL || !env.TOKEN_EXCHANGE_SECRET_ID)
    throw new Error(`Invalid token exchange settings: ${problems.join('; ')}`);
  return new ExchangedCredentials({
    systems: exchanged,
    exchanger: tokenExchanger({
      tokenUrl: env.TOKEN_EXCHANGE_URL,
      style: env.TOKEN_EXCHANGE_STYLE,
      secretId: env.TOKEN_EXCHANGE_SECRET_ID,
      secrets: options.secrets,
      allowHttp: url?.protocol === 'http:',
      timeoutMs: env.UPSTREAM_TIMEOUT_MS,
    }),
    logger,
  });
}
