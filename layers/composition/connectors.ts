import type { Policy } from '../auth/policy.ts';
import { type createDocumentClient, createSecretsManagerClient } from '../aws/clients.ts';
import type { RuntimeEnv } from '../config/env.ts';
import type { RateLimitSetting, SystemSettings } from '../config/system-settings.ts';
import type { UserCredentials } from '../connections/user-credentials.ts';
import { effectiveRateLimit, type SystemDefinition } from '../connectors/system-definition.ts';
import { logger } from '../observability/logger.ts';
import { recordBudgetWait, recordCircuitOpened } from '../observability/metrics.ts';
import { CallMetrics } from '../resilience/call-metrics.ts';
import { SharedCircuitBreaker } from '../resilience/circuit-breaker.ts';
import type { KillSwitches } from '../resilience/kill-switches.ts';
import { SharedRateBudget, UserRateLimit } from '../resilience/rate-budget.ts';
import type { ResponseCache } from '../resilience/response-cache.ts';
import { FileSecretProvider } from '../secrets/file-secret-provider.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import { SecretsManagerSecretProvider } from '../secrets/secrets-manager-provider.ts';
import { mailSettings } from '../systems/mail/mail-settings.ts';
import { systems as registeredSystems } from '../systems/registry.ts';
import type { ConversationPrefetch } from '../tools/prefetch.ts';
import { createToolRunner, type ToolRunner } from '../tools/tool-runner.ts';
import { exchangedCredentials } from './exchanged-credentials.ts';

type DocumentClient = ReturnType<typeof createDocumentClient>;

/** Credentials and signing secrets: Secrets Manager on AWS, the local secrets file in local mode. */
export function secretProvider(env: RuntimeEnv): SecretProvider {
  if (env.SECRETS_SOURCE === 'file') {
    if (!env.LOCAL_SECRETS_FILE)
      throw new Error('LOCAL_SECRETS_FILE must be set when SECRETS_SOURCE=file');
    return new FileSecretProvider({
      path: env.LOCAL_SECRETS_FILE,
      maxAgeSeconds: env.SECRETS_MAX_AGE_SECONDS,
    });
  }
  return new SecretsManagerSecretProvider({
    client: createSecretsManagerClient(),
    maxAgeSeconds: env.SECRETS_MAX_AGE_SECONDS,
  });
}

/** One shared circuit breaker per system, for this instance (`off`: none). */
function breakers(
  client: DocumentClient,
  tableName: string,
  coolDownMs: number,
  settings: ReadonlyMap<string, SystemSettings>,
) {
  return (system: SystemDefinition) => {
    const override = settings.get(system.id)?.breaker;
    if (override === 'off') return undefined;
    const declared = system.breaker;
    return new SharedCircuitBreaker({
      client,
      tableName,
      systemId: system.id,
      displayName: system.displayName,
      policy: {
        coolDownMs,
        ...(declared?.failureRate ? { failureRate: declared.failureRate } : {}),
        ...(declared?.minimumCalls ? { minimumCalls: declared.minimumCalls } : {}),
        ...(declared?.windowSeconds ? { windowMs: declared.windowSeconds * 1000 } : {}),
        ...override,
      },
      onOpen: (systemId) => {
        logger.warn('circuit breaker opened', { system: systemId });
        recordCircuitOpened(systemId);
      },
    });
  };
}

/** The shared outbound rate budget of a system, for this instance. */
function rateBudgets(client: DocumentClient, tableName: string) {
  return (system: SystemDefinition, limit: { requests: number; perSeconds: number }) =>
    new SharedRateBudget({
      client,
      tableName,
      systemId: system.id,
      displayName: system.displayName,
      onWait: recordBudgetWait,
      ...limit,
    });
}

/** The per-user inbound limit of USER_RATE_LIMIT; none when it is `off`. */
function userLimit(
  client: DocumentClient,
  tableName: string,
  limit: RateLimitSetting,
): { userLimit?: UserRateLimit } {
  return limit === 'off' ? {} : { userLimit: new UserRateLimit({ client, tableName, ...limit }) };
}

/** This instance's counts of every system's calls, flushed in the background (GET /systems). */
function callMetrics(client: DocumentClient, tableName: string, flushAfterMs: number) {
  const metrics = new CallMetrics({
    client,
    tableName,
    flushAfterMs,
    onError: (error) => logger.warn('call metrics flush failed', { error: error.message }),
  });
  return (system: SystemDefinition) => metrics.recorderFor(system.id);
}

/**
 * The shared connector factory: the tool runner, which builds each system's connector (base URL,
 * credentials, deadline, retries, breaker, rate budget) from the settings parsed at cold start,
 * with the resilience table's shared state when the function has one.
 *
 * @example
 * const runner = createConnectors({ env, systemSettings, dynamo, policy, shared });
 */
export function createConnectors(options: {
  env: RuntimeEnv;
  systemSettings: ReadonlyMap<string, SystemSettings>;
  dynamo: DocumentClient;
  policy: Policy;
  /** Shared state of the resilience table, when the function has it. */
  shared?: { switches: KillSwitches; cache: ResponseCache; tableName: string } | undefined;
  prefetch?: ConversationPrefetch | undefined;
  /** Users' tokens, when the deployment calls a system on behalf of users. */
  userCredentials?: UserCredentials | undefined;
}): ToolRunner {
  const { env, systemSettings, dynamo, shared } = options;
  const secrets = secretProvider(env);
  const exchanged = exchangedCredentials({
    env,
    systemSettings,
    systems: registeredSystems,
    secrets,
  });
  return createToolRunner({
    systemSettings,
    policy: options.policy,
    secrets,
    logger,
    settings: { mail: mailSettings(env) },
    defaultTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
    ...(options.prefetch ? { prefetch: options.prefetch } : {}),
    ...(options.userCredentials
      ? { userCredentials: options.userCredentials, publicBaseUrl: env.PUBLIC_BASE_URL }
      : {}),
    ...(exchanged ? { exchangedCredentials: exchanged } : {}),
    ...(env.CACHE_MAX_TTL_SECONDS ? { maxCacheTtlSeconds: env.CACHE_MAX_TTL_SECONDS } : {}),
    ...(shared
      ? {
          breakerFor: breakers(dynamo, shared.tableName, env.BREAKER_COOLDOWN_MS, systemSettings),
          switches: shared.switches,
          cache: shared.cache,
          rateBudgetFor: rateBudgets(dynamo, shared.tableName),
          ...userLimit(dynamo, shared.tableName, env.USER_RATE_LIMIT),
          metricsFor: callMetrics(dynamo, shared.tableName, env.CALL_METRICS_FLUSH_MS),
        }
      : {}),
  });
}

/** What GET /systems reads of one system's shared state. */
export interface SystemWatch {
  system: SystemDefinition;
  /** Absent when the deployment turned the system's breaker off. */
  breaker?: Pick<SharedCircuitBreaker, 'status'>;
  /** Absent when the system has no outbound budget. */
  budget?: Pick<SharedRateBudget, 'usage'>;
}

/**
 * Each system's breaker and rate budget as the functions that call it build them (same settings,
 * same keys), for reading their shared state.
 *
 * @example
 * const watches = systemWatches({ env, systemSettings, dynamo, tableName }, systems);
 */
export function systemWatches(
  options: {
    env: RuntimeEnv;
    systemSettings: ReadonlyMap<string, SystemSettings>;
    dynamo: DocumentClient;
    tableName: string;
  },
  systems: readonly SystemDefinition[],
): SystemWatch[] {
  const { env, systemSettings, dynamo, tableName } = options;
  const breakerOf = breakers(dynamo, tableName, env.BREAKER_COOLDOWN_MS, systemSettings);
  const budgetOf = rateBudgets(dynamo, tableName);
  return systems.map((system) => {
    const breaker = breakerOf(system);
    const limit = effectiveRateLimit(system, systemSettings.get(system.id));
    return {
      system,
      ...(breaker ? { breaker } : {}),
      ...(limit ? { budget: budgetOf(system, limit) } : {}),
    };
  });
}
