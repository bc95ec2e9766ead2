import { type ArgumentRulesView, liveArgumentRules } from '../argument-policy/argument-rules.ts';
import { fileAuditLog, stdoutAuditLog } from '../audit/audit-log.ts';
import { type CallAuditor, createCallAuditor } from '../audit/audit-policy.ts';
import { AuditSearch } from '../audit/audit-search.ts';
import { type CallerResolver, createJwtVerifier } from '../auth/jwt-verifier.ts';
import type { Policy } from '../auth/policy.ts';
import { createDocumentClient, createSqsClient } from '../aws/clients.ts';
import { parseEnv, type RuntimeEnv, requireSettings } from '../config/env.ts';
import { parseSystemSettings } from '../config/system-settings.ts';
import { ConfigurationError } from '../errors/index.ts';
import { notifierFrom } from '../notifications/from-env.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { logger } from '../observability/logger.ts';
import { livePolicy, snapshotOf } from '../policy/policy-source.ts';
import { background } from '../resilience/background.ts';
import { KillSwitches } from '../resilience/kill-switches.ts';
import { ResponseCache } from '../resilience/response-cache.ts';
import { systems } from '../systems/registry.ts';
import { registry as fullRegistry } from '../tools/registry.ts';
import { createRegistry, type ToolRegistry } from '../tools/tool-registry.ts';
import type { ToolRunner } from '../tools/tool-runner.ts';
import { type ConfirmationStore, DynamoConfirmationStore } from '../writes/confirmation-store.ts';
import { OperationSearch } from '../writes/operation-search.ts';
import { DynamoOperationStore, type OperationStore } from '../writes/operation-store.ts';
import type { ProposalDeps } from '../writes/propose.ts';
import { SqsWriteQueue, type WriteQueue } from '../writes/write-queue.ts';
import { createConnectors } from './connectors.ts';
import { instancePolicySource } from './instance-policy.ts';
import { conversationPrefetch } from './prefetch.ts';
import { type UserConnections, userConnections } from './user-connections.ts';

export interface WriteDependencies {
  readonly confirmations: ConfirmationStore;
  readonly operations: OperationStore;
  readonly queue: WriteQueue;
}

/**
 * The parts every role is assembled from (layers/composition/roles.ts), each built on first use
 * from its own settings over one DynamoDB client: a role takes the parts it uses at cold start, so
 * a function is asked only for the settings those parts read, and missing ones fail its cold start.
 */
export interface GatewayParts {
  readonly env: RuntimeEnv;
  readonly logger: typeof logger;
  /**
   * The instance's current policy, live: every read answers from the last good policy of its source
   * (layers/policy/instance-policy.ts), so a new one takes effect without a restart.
   */
  readonly policy: Policy;
  /** The tools this function serves: TOOL_NAME's alone (one function per tool on AWS), else all. */
  readonly registry: ToolRegistry;
  /**
   * Rules on tools' input values (infra/policy/*.cedar), validated against every registered tool
   * on the first call of a tool they name; the Cedar engine loads only then.
   */
  readonly argumentRules: ArgumentRulesView;
  /** Verifies bearer tokens (JWT_ISSUER, JWT_AUDIENCE). */
  resolver(): CallerResolver;
  /**
   * The audit trail (a line per call on stdout, or in AUDIT_LOG_FILE), with the deployment's rule
   * for calls it cannot record.
   */
  auditor(): CallAuditor;
  /** The shared connector factory: runs tools against their systems. */
  runner(): ToolRunner;
  /**
   * The systems called on behalf of users, their connections and tokens (CONNECTIONS_TABLE_NAME);
   * undefined when the deployment calls every system with its service credential.
   */
  connections(): UserConnections | undefined;
  /** Run-time kill switches (RESILIENCE_TABLE_NAME). */
  switches(): KillSwitches;
  /** Shared cache of reference data (RESILIENCE_TABLE_NAME). */
  cache(): ResponseCache;
  /** Write-path stores, each built on first use; one whose table is not configured fails clearly. */
  writes(): WriteDependencies;
  proposals(): ProposalDeps;
  /** GET /operations: the operations table's indexes (OPERATIONS_TABLE_NAME). */
  operationSearch(): OperationSearch;
  /** GET /audit: the audit table's key and indexes (AUDIT_TABLE_NAME). */
  auditSearch(): AuditSearch;
  /** Tells people that something waits for them (NOTIFICATIONS_TOPIC_ARN; unset: nobody). */
  notifier(): Notifier;
}

const once = <T>(build: () => T): (() => T) => {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
};

const NOT_CONFIGURED =
  "This gateway function is not configured for that. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.";

/** What a part answers when the setting it is built from is missing (error codes are written out: a contract). */
const notConfigured = {
  switches: (setting: string) =>
    new ConfigurationError('switches_not_configured', NOT_CONFIGURED, {
      operatorDetail: `${setting} is not set`,
    }),
  cache: (setting: string) =>
    new ConfigurationError('cache_not_configured', NOT_CONFIGURED, {
      operatorDetail: `${setting} is not set`,
    }),
  writes: (setting: string) =>
    new ConfigurationError('write_path_not_configured', NOT_CONFIGURED, {
      operatorDetail: `${setting} is not set`,
    }),
};

/**
 * The parts of the function named `role`, from its environment.
 *
 * @example
 * const parts = composeParts(process.env, 'POST /tools/{name}');
 */
export function composeParts(
  source: Record<string, string | undefined>,
  role: string,
): GatewayParts {
  const env = parseEnv(source);
  // Work the answer does not wait for (shared-state refreshes and writes) reports its failures here.
  background.reportTo((task, error) =>
    logger.warn('background work failed', { task, error: error.message }),
  );
  // One DynamoDB client (and connection pool) for every store of this instance.
  const dynamo = once(createDocumentClient);
  const registry = env.TOOL_NAME
    ? createRegistry(fullRegistry.all.filter((tool) => tool.name === env.TOOL_NAME))
    : fullRegistry;
  if (env.TOOL_NAME && registry.all.length === 0) {
    throw new Error(`TOOL_NAME=${env.TOOL_NAME} is not a registered tool`);
  }
  // Looked up on first read: a function that never reads the policy needs no policy source.
  const policy = livePolicy({ current: () => instancePolicySource().current() });
  // NOTIFICATIONS_TOPIC_ARN: proposals that wait for a person, and failed operations, are told there.
  const notifier = once((): Notifier => notifierFrom(env, { logger }));
  const resilienceTable = (part: 'switches' | 'cache') => {
    if (!env.RESILIENCE_TABLE_NAME) throw notConfigured[part]('RESILIENCE_TABLE_NAME');
    return env.RESILIENCE_TABLE_NAME;
  };
  const switches = once(
    () =>
      new KillSwitches({
        client: dynamo(),
        tableName: resilienceTable('switches'),
        maxStaleMs: env.SWITCHES_MAX_STALE_MS,
      }),
  );
  const cache = once(
    () => new ResponseCache({ client: dynamo(), tableName: resilienceTable('cache') }),
  );
  const table = (
    name: 'CONFIRMATIONS_TABLE_NAME' | 'OPERATIONS_TABLE_NAME' | 'WRITE_QUEUE_URL',
  ): string => {
    const value = env[name];
    if (!value) throw notConfigured.writes(name);
    return value;
  };
  const confirmations = once(
    () =>
      new DynamoConfirmationStore({
        client: dynamo(),
        tableName: table('CONFIRMATIONS_TABLE_NAME'),
      }),
  );
  const operations = once(
    () => new DynamoOperationStore({ client: dynamo(), tableName: table('OPERATIONS_TABLE_NAME') }),
  );
  const queue = once(
    () => new SqsWriteQueue({ client: createSqsClient(), queueUrl: table('WRITE_QUEUE_URL') }),
  );
  const writes: WriteDependencies = {
    get confirmations() {
      return confirmations();
    },
    get operations() {
      return operations();
    },
    get queue() {
      return queue();
    },
  };
  const systemSettings = once(() =>
    parseSystemSettings(
      source,
      systems.map((system) => system.id),
    ),
  );
  const connections = once(() =>
    userConnections({ env, systemSettings: systemSettings(), dynamo: dynamo(), systems }),
  );
  const runner: () => ToolRunner = once(() => {
    return createConnectors({
      userCredentials: connections()?.credentials,
      env,
      systemSettings: systemSettings(),
      dynamo: dynamo(),
      policy,
      prefetch: conversationPrefetch(env, policy, dynamo()),
      shared: env.RESILIENCE_TABLE_NAME
        ? { switches: switches(), cache: cache(), tableName: env.RESILIENCE_TABLE_NAME }
        : undefined,
    });
  });
  return {
    env,
    logger,
    policy,
    registry,
    // The current policy's Cedar files: a policy change brings its argument rules along.
    argumentRules: liveArgumentRules(() => snapshotOf(policy).cedar, fullRegistry.all),
    resolver: once(() => {
      const { JWT_ISSUER, JWT_AUDIENCE } = requireSettings(env, role, [
        'JWT_ISSUER',
        'JWT_AUDIENCE',
      ]);
      return createJwtVerifier({
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        jwksUrl:
          env.JWT_JWKS_URL ??
          new URL('.well-known/jwks.json', `${JWT_ISSUER.replace(/\/$/, '')}/`).toString(),
        algorithms: env.JWT_ALGORITHMS.split(',').map((alg) => alg.trim()),
        rolesClaim: env.JWT_ROLES_CLAIM,
      });
    }),
    auditor: once(() =>
      createCallAuditor({
        log: env.AUDIT_LOG_FILE ? fileAuditLog(env.AUDIT_LOG_FILE) : stdoutAuditLog(),
        mode: env.AUDIT_FAILURE_MODE,
        logger,
      }),
    ),
    runner,
    connections,
    switches,
    cache,
    writes: () => writes,
    proposals: once(() => ({
      confirmations: confirmations(),
      // Read at each proposal: the version of the policy it was made under.
      get policyVersion() {
        return policy.version;
      },
      ttlSeconds: env.CONFIRMATION_TTL_SECONDS,
      notifier: notifier(),
      logger,
    })),
    operationSearch: once(
      () => new OperationSearch({ client: dynamo(), tableName: table('OPERATIONS_TABLE_NAME') }),
    ),
    auditSearch: once(() => {
      const { AUDIT_TABLE_NAME } = requireSettings(env, role, ['AUDIT_TABLE_NAME']);
      return new AuditSearch({
        client: dynamo(),
        tableName: AUDIT_TABLE_NAME,
        retentionDays: env.AUDIT_RETENTION_DAYS,
      });
    }),
    notifier,
  };
}
