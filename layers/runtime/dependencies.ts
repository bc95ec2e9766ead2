import { type CallAuditor, createCallAuditor } from '../audit/audit-policy.ts';
import { DynamoAuditRepository } from '../audit/audit-repository.ts';
import { type CallerResolver, createJwtVerifier } from '../auth/jwt-verifier.ts';
import { defaultPolicy, type Policy } from '../auth/policy.ts';
import {
  createDocumentClient,
  createSecretsManagerClient,
  createSqsClient,
} from '../aws/clients.ts';
import { parseEnv, type RuntimeEnv } from '../config/env.ts';
import {
  parseSystemSettings,
  type RateLimitSetting,
  type SystemSettings,
} from '../config/system-settings.ts';

type DocumentClient = ReturnType<typeof createDocumentClient>;

import type { SystemDefinition } from '../connectors/system-definition.ts';
import { ConfigurationError } from '../errors/index.ts';
import { logger } from '../observability/logger.ts';
import { recordCircuitOpened } from '../observability/metrics.ts';
import { SharedCircuitBreaker } from '../resilience/circuit-breaker.ts';
import { KillSwitches } from '../resilience/kill-switches.ts';
import { SharedRateBudget, UserRateLimit } from '../resilience/rate-budget.ts';
import { ResponseCache } from '../resilience/response-cache.ts';
import { FileSecretProvider } from '../secrets/file-secret-provider.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import { SecretsManagerSecretProvider } from '../secrets/secrets-manager-provider.ts';
import { mailSettings } from '../systems/mail/mail-settings.ts';
import { systems } from '../systems/registry.ts';
import { registry as fullRegistry } from '../tools/registry.ts';
import { createToolRunner, type ToolRunner } from '../tools/runtime.ts';
import { createRegistry, type ToolRegistry } from '../tools/tool-registry.ts';
import { type ConfirmationStore, DynamoConfirmationStore } from '../writes/confirmation-store.ts';
import { DynamoOperationStore, type OperationStore } from '../writes/operation-store.ts';
import type { ProposalDeps } from '../writes/propose.ts';
import { SqsWriteQueue, type WriteQueue } from '../writes/write-queue.ts';
import { conversationPrefetch } from './prefetch.ts';

/** Everything a gateway handler needs, built once per cold start. */
export interface GatewayDependencies {
  env: RuntimeEnv;
  logger: typeof logger;
  registry: ToolRegistry;
  policy: Policy;
  resolver: CallerResolver;
  /** The audit trail, with the deployment's rule for calls it cannot record. */
  auditor: CallAuditor;
  runner: ToolRunner;
  /** Run-time kill switches (RESILIENCE_TABLE_NAME). */
  switches(): KillSwitches;
  /** Shared cache of reference data (RESILIENCE_TABLE_NAME). */
  cache(): ResponseCache;
  /** Write-path stores, each built on first use; one whose table is not configured fails clearly. */
  writes(): WriteDependencies;
  proposals(): ProposalDeps;
}

export interface WriteDependencies {
  readonly confirmations: ConfirmationStore;
  readonly operations: OperationStore;
  readonly queue: WriteQueue;
}

function required(
  env: RuntimeEnv,
  name: 'CONFIRMATIONS_TABLE_NAME' | 'OPERATIONS_TABLE_NAME' | 'WRITE_QUEUE_URL',
): string {
  const value = env[name];
  if (!value) {
    throw new ConfigurationError(
      'write_path_not_configured',
      `This gateway function is not configured for writes. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
      { operatorDetail: `${name} is not set` },
    );
  }
  return value;
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

/** The per-user inbound limit of USER_RATE_LIMIT; none when it is `off`. */
function userLimit(
  client: DocumentClient,
  tableName: string,
  limit: RateLimitSetting,
): { userLimit?: UserRateLimit } {
  return limit === 'off' ? {} : { userLimit: new UserRateLimit({ client, tableName, ...limit }) };
}

/**
 * Builds the handler dependencies from the environment. With TOOL_NAME set (one function per tool
 * on AWS) the registry holds only that tool.
 *
 * @example
 * const deps = buildDependencies(process.env);
 */
export function buildDependencies(source: Record<string, string | undefined>): GatewayDependencies {
  const env = parseEnv(source);
  const systemSettings = parseSystemSettings(
    source,
    systems.map((system) => system.id),
  );
  // One DynamoDB client (and connection pool) for every store of this instance.
  const dynamo = createDocumentClient();
  const registry = env.TOOL_NAME
    ? createRegistry(fullRegistry.all.filter((tool) => tool.name === env.TOOL_NAME))
    : fullRegistry;
  if (env.TOOL_NAME && registry.all.length === 0) {
    throw new Error(`TOOL_NAME=${env.TOOL_NAME} is not a registered tool`);
  }
  let killSwitches: KillSwitches | undefined;
  const switches = (): KillSwitches => {
    if (!env.RESILIENCE_TABLE_NAME) {
      throw new ConfigurationError(
        'switches_not_configured',
        "This gateway function is not configured for that. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.",
        { operatorDetail: 'RESILIENCE_TABLE_NAME is not set' },
      );
    }
    killSwitches ??= new KillSwitches({
      client: dynamo,
      tableName: env.RESILIENCE_TABLE_NAME,
      cacheMs: env.SWITCHES_CACHE_MS,
    });
    return killSwitches;
  };
  let cache: ResponseCache | undefined;
  const responseCache = (): ResponseCache => {
    if (!env.RESILIENCE_TABLE_NAME) {
      throw new ConfigurationError(
        'cache_not_configured',
        "This gateway function is not configured for that. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.",
        { operatorDetail: 'RESILIENCE_TABLE_NAME is not set' },
      );
    }
    cache ??= new ResponseCache({
      client: dynamo,
      tableName: env.RESILIENCE_TABLE_NAME,
    });
    return cache;
  };
  let proposals: ProposalDeps | undefined;
  // Each store is built on first use from its own setting: a function is given only the tables
  // it uses (the saga steps and GET /operations have no confirmations table or queue).
  let confirmations: ConfirmationStore | undefined;
  let operations: OperationStore | undefined;
  let queue: WriteQueue | undefined;
  const writes: WriteDependencies = {
    get confirmations() {
      confirmations ??= new DynamoConfirmationStore({
        client: dynamo,
        tableName: required(env, 'CONFIRMATIONS_TABLE_NAME'),
      });
      return confirmations;
    },
    get operations() {
      operations ??= new DynamoOperationStore({
        client: dynamo,
        tableName: required(env, 'OPERATIONS_TABLE_NAME'),
      });
      return operations;
    },
    get queue() {
      queue ??= new SqsWriteQueue({
        client: createSqsClient(),
        queueUrl: required(env, 'WRITE_QUEUE_URL'),
      });
      return queue;
    },
  };
  // The prefetch runs the runner, which starts prefetches: bound through a late reference.
  const prefetch = conversationPrefetch(env, defaultPolicy, dynamo, (request) =>
    runner.prefill(request),
  );
  const runner: ToolRunner = createToolRunner({
    systemSettings,
    policy: defaultPolicy,
    secrets: secretProvider(env),
    logger,
    settings: { mail: mailSettings(env) },
    defaultTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
    ...(prefetch ? { prefetch } : {}),
    ...(env.CACHE_MAX_TTL_SECONDS ? { maxCacheTtlSeconds: env.CACHE_MAX_TTL_SECONDS } : {}),
    ...(env.RESILIENCE_TABLE_NAME
      ? {
          breakerFor: breakers(
            dynamo,
            env.RESILIENCE_TABLE_NAME,
            env.BREAKER_COOLDOWN_MS,
            systemSettings,
          ),
          switches: switches(),
          cache: responseCache(),
          rateBudgetFor: (
            system: SystemDefinition,
            limit: { requests: number; perSeconds: number },
          ) =>
            new SharedRateBudget({
              client: dynamo,
              tableName: env.RESILIENCE_TABLE_NAME as string,
              systemId: system.id,
              displayName: system.displayName,
              ...limit,
            }),
          ...userLimit(dynamo, env.RESILIENCE_TABLE_NAME, env.USER_RATE_LIMIT),
        }
      : {}),
  });
  return {
    env,
    logger,
    switches,
    cache: responseCache,
    writes: () => writes,
    proposals: () => {
      proposals ??= {
        confirmations: new DynamoConfirmationStore({
          client: dynamo,
          tableName: required(env, 'CONFIRMATIONS_TABLE_NAME'),
        }),
        policyVersion: defaultPolicy.version,
        ttlSeconds: env.CONFIRMATION_TTL_SECONDS,
      };
      return proposals;
    },
    registry,
    policy: defaultPolicy,
    resolver: createJwtVerifier({
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      jwksUrl:
        env.JWT_JWKS_URL ??
        new URL('.well-known/jwks.json', `${env.JWT_ISSUER.replace(/\/$/, '')}/`).toString(),
      algorithms: env.JWT_ALGORITHMS.split(',').map((alg) => alg.trim()),
      rolesClaim: env.JWT_ROLES_CLAIM,
    }),
    auditor: createCallAuditor({
      repository: new DynamoAuditRepository({
        client: dynamo,
        tableName: env.AUDIT_TABLE_NAME,
        retentionDays: env.AUDIT_RETENTION_DAYS,
      }),
      mode: env.AUDIT_FAILURE_MODE,
      logger,
    }),
    runner,
  };
}
