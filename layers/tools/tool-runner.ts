import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.ts';
import { isAllowed, type Policy } from '../auth/policy.ts';
import type { SystemSettings } from '../config/system-settings.ts';
import { systemSettingNames } from '../config/system-settings.ts';
import type { ExchangedCredentials } from '../connections/exchanged-credentials.ts';
import { connectUrlOf, type UserCredentials } from '../connections/user-credentials.ts';
import { type Authenticator, createAuthenticator } from '../connectors/authenticator.ts';
import type { Connector } from '../connectors/connector.ts';
import { createHttpConnector, type HttpConnectorOptions } from '../connectors/http-connector.ts';
import { effectiveRateLimit, type SystemDefinition } from '../connectors/system-definition.ts';
import type { UpstreamCalls } from '../connectors/upstream-calls.ts';
import { inputDigest } from '../digest/input-digest.ts';
import { AppError, ConfigurationError, ForbiddenError } from '../errors/index.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import type { KillSwitches } from '../resilience/kill-switches.ts';
import type { UserRateLimit } from '../resilience/rate-budget.ts';
import type { ResponseCache } from '../resilience/response-cache.ts';
import { RetryBudget } from '../resilience/retry-budget.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import type { SqlDriver } from '../sql/driver.ts';
import { openSqlDriver } from '../sql/drivers.ts';
import { createSqlConnector, type SqlConnector } from '../sql/sql-connector.ts';
import { getSystem } from '../systems/registry.ts';
import type { AnyReadTool, ToolContext, ToolSettings } from './define.ts';
import type { ConversationPrefetch, PrefetchRequest } from './prefetch.ts';

/** What a read tool call answers (DESIGN.md). */
export interface ToolResult {
  data: unknown;
  meta: {
    requestId: string;
    durationMs: number;
    degraded: { system: string; reason: string }[];
    cache: 'hit' | 'miss' | 'none';
    /** Answered from the conversation-start prefetch (`X-Conversation-Id`). */
    prefetched?: boolean;
    /**
     * What the caller does not see: a composite tool's parts the caller is not granted (null in
     * `data`), and model fields the policy withholds or masks for the caller's roles
     * (layers/core/field-rules.ts).
     */
    withheld?: (
      | { part: string; reason: 'forbidden' }
      | { path: string; field: string; reason: 'withheld' | 'masked' }
    )[];
  };
}

/** Who calls, within which request and, if the agent says, which conversation. */
export interface RunCall {
  requestId: string;
  caller: Caller;
  conversationId?: string | undefined;
  /** Notes the calls the tool makes to business systems, for the call's audit record. */
  upstream?: UpstreamCalls | undefined;
  /** The gateway's public base URL, for the `connectUrl` of a system the user has not connected. */
  baseUrl?: string | undefined;
  /** The caller's own access token, exchanged for a system called with token exchange. */
  subjectToken?: string | undefined;
}

export interface ToolRunnerOptions {
  /** Each system's settings, parsed once at cold start (`parseSystemSettings`). */
  systemSettings: ReadonlyMap<string, SystemSettings>;
  /** Decides which parts of a composite tool each caller may see. */
  policy: Policy;
  secrets: SecretProvider;
  logger: ToolLogger;
  /** The deployment's settings the tools read (ctx.settings). */
  settings: ToolSettings;
  /** Default per-call timeout when a system sets none. */
  defaultTimeoutMs: number;
  /** Shared cache of reference data, if the deployment has one. */
  cache?: Pick<ResponseCache, 'get' | 'set'>;
  /** Caps every cached tool's TTL. */
  maxCacheTtlSeconds?: number;
  /** Run-time kill switches, if the deployment has them. */
  switches?: Pick<KillSwitches, 'assertEnabled'>;
  /** The shared circuit breaker of a system, if the deployment has one. */
  breakerFor?: (system: SystemDefinition) => HttpConnectorOptions['breaker'];
  /** The shared rate budget of a rate-limited system, if the deployment has them. */
  rateBudgetFor?: (
    system: SystemDefinition,
    limit: { requests: number; perSeconds: number },
  ) => HttpConnectorOptions['rateBudget'];
  /** Counts each system's calls for GET /systems, if the deployment keeps the figures. */
  metricsFor?: (system: SystemDefinition) => HttpConnectorOptions['metrics'];
  /** Conversation-start prefetch, if the deployment has one (needs `cache`). */
  prefetch?: ConversationPrefetch;
  /** The per-user inbound limit, if the deployment has one. */
  userLimit?: Pick<UserRateLimit, 'admit'>;
  /** Users' tokens for the systems the deployment calls on their behalf, if it has any. */
  userCredentials?: Pick<UserCredentials, 'covers' | 'authenticatorFor'>;
  /** Tokens exchanged for the caller's own, for the systems called with token exchange, if any. */
  exchangedCredentials?: Pick<ExchangedCredentials, 'covers' | 'authenticatorFor'>;
  /** PUBLIC_BASE_URL: the base of a `connectUrl` when the call does not name its own. */
  publicBaseUrl?: string | undefined;
  fetch?: typeof globalThis.fetch;
}

interface SystemRuntime {
  system: SystemDefinition;
  baseUrl: string;
  timeoutMs: number;
  authenticator: Authenticator;
  /** Shared by every call of this instance to the system. */
  retryBudget: RetryBudget;
  breaker: HttpConnectorOptions['breaker'];
  rateBudget: HttpConnectorOptions['rateBudget'];
  metrics: HttpConnectorOptions['metrics'];
  /** A database system's driver (its pool), opened on first use and kept by the instance. */
  sqlDriver?: () => Promise<SqlDriver>;
}

/**
 * Runs tools: builds each call's connectors (credentials and OAuth tokens cached per instance),
 * bounds the call by its deadline, and checks the tool's output against its schema.
 *
 * @example
 * const runner = createToolRunner({ systemSettings, policy, secrets, logger, settings, defaultTimeoutMs: 5000 });
 * const result = await runner.run(getCustomer, { customerId: 'C-00001' }, { requestId, caller });
 */
export function createToolRunner(options: ToolRunnerOptions) {
  const runtimes = new Map<string, SystemRuntime>();

  const runtimeOf = (systemId: string): SystemRuntime => {
    const known = runtimes.get(systemId);
    if (known) return known;
    const system = getSystem(systemId);
    const configured = options.systemSettings.get(systemId) ?? {};
    const { baseUrl, secretId } = configured;
    if (!system || !baseUrl || !secretId) {
      throw new ConfigurationError(
        'system_not_configured',
        `The system "${systemId}" is not configured for this tool. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        {
          operatorDetail: `${systemSettingNames.baseUrl(systemId)} and ${systemSettingNames.secretId(systemId)} must be set`,
        },
      );
    }
    const timeoutMs = configured.timeoutMs || system.timeoutMs || options.defaultTimeoutMs;
    const rateLimit = effectiveRateLimit(system, configured);
    const runtime: SystemRuntime = {
      system,
      baseUrl,
      timeoutMs,
      authenticator: createAuthenticator({
        system,
        baseUrl,
        secretId,
        secrets: options.secrets,
        tokenUrl: configured.tokenUrl,
      }),
      retryBudget: new RetryBudget(),
      breaker: options.breakerFor?.(system),
      rateBudget: rateLimit ? options.rateBudgetFor?.(system, rateLimit) : undefined,
      metrics: options.metricsFor?.(system),
    };
    if (system.database) {
      let driver: Promise<SqlDriver> | undefined;
      runtime.sqlDriver = () => {
        if (!driver) {
          driver = openSqlDriver({
            url: baseUrl,
            secretId,
            secrets: options.secrets,
            iamUser: configured.dbIamUser,
          });
          // A driver that could not be made is made again on the next call.
          driver.catch(() => {
            driver = undefined;
          });
        }
        return driver;
      };
    }
    runtimes.set(systemId, runtime);
    return runtime;
  };

  /** A tool context with connectors for `systems`, all bounded by one deadline. */
  const contextFor = (
    systems: readonly string[],
    call: {
      requestId: string;
      caller: Caller;
      upstream?: UpstreamCalls | undefined;
      baseUrl?: string | undefined;
      subjectToken?: string | undefined;
    },
    toolTimeoutMs?: number,
    withheld: readonly string[] = [],
  ): ToolContext & { degraded: { system: string; reason: string }[] } => {
    const runtimesUsed = systems.map(runtimeOf);
    const deadlineMs =
      toolTimeoutMs ??
      Math.max(options.defaultTimeoutMs, ...runtimesUsed.map((runtime) => runtime.timeoutMs));
    const deadline = AbortSignal.timeout(deadlineMs);
    const deadlineAt = Date.now() + deadlineMs;
    const connectors: Record<string, Connector> = {};
    const databases: Record<string, SqlConnector> = {};
    for (const runtime of runtimesUsed) {
      if (runtime.sqlDriver) {
        databases[runtime.system.id] = createSqlConnector({
          system: runtime.system,
          driver: runtime.sqlDriver,
          deadlineAt,
          ...(runtime.breaker ? { breaker: runtime.breaker } : {}),
          ...(runtime.metrics ? { metrics: runtime.metrics } : {}),
          ...(call.upstream ? { upstream: call.upstream } : {}),
          logger: options.logger,
        });
        continue;
      }
      // On behalf of the user: the user's own token, never the service credential.
      const users = options.userCredentials;
      const onBehalf = users?.covers(runtime.system.id) ? users : undefined;
      const exchange = options.exchangedCredentials?.covers(runtime.system.id)
        ? options.exchangedCredentials
        : undefined;
      connectors[runtime.system.id] = createHttpConnector({
        system: runtime.system,
        baseUrl: runtime.baseUrl,
        authenticator: exchange
          ? exchange.authenticatorFor(runtime.system.id, call.caller.sub, call.subjectToken)
          : onBehalf
            ? onBehalf.authenticatorFor(
                runtime.system.id,
                call.caller.sub,
                connectUrlOf(call.baseUrl ?? options.publicBaseUrl ?? '', runtime.system.id),
              )
            : runtime.authenticator,
        credential: exchange ? 'exchange' : onBehalf ? 'user' : 'service',
        timeoutMs: runtime.timeoutMs,
        requestId: call.requestId,
        signal: deadline,
        deadlineAt,
        ...(runtime.breaker ? { breaker: runtime.breaker } : {}),
        ...(runtime.rateBudget ? { rateBudget: runtime.rateBudget } : {}),
        ...(runtime.metrics ? { metrics: runtime.metrics } : {}),
        retry: {
          maxAttempts: runtime.system.retry.maxAttempts,
          baseDelayMs: runtime.system.retry.baseDelayMs,
          budget: runtime.retryBudget,
        },
        logger: options.logger,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(call.upstream ? { upstream: call.upstream } : {}),
      });
    }
    const degraded: { system: string; reason: string }[] = [];
    return {
      connectors,
      ...(Object.keys(databases).length > 0 ? { databases } : {}),
      logger: options.logger,
      requestId: call.requestId,
      caller: call.caller,
      settings: options.settings,
      signal: deadline,
      degraded,
      reportDegraded: (system, reason) => {
        degraded.push({ system, reason });
      },
      withheld: new Set(withheld),
    };
  };

  /**
   * Admits a call before anything reaches a business system: 429 when the caller used up their
   * limit, 503 when an administrator switched the tool or one of its systems off. Both checks
   * run together; a refused call makes no upstream call.
   */
  const admit = async (
    tool: { name: string; systems: readonly string[] },
    caller: Caller,
  ): Promise<void> => {
    const checks = [options.userLimit?.admit(caller.sub), options.switches?.assertEnabled(tool)];
    const settled = await Promise.allSettled(checks);
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  };

  /**
   * Runs a read tool. With `X-Conversation-Id`, the prefetch tool may be answered from the
   * conversation's prefetch, and a call naming a customer starts that prefetch alongside.
   */
  async function run(tool: AnyReadTool, input: unknown, call: RunCall): Promise<ToolResult> {
    await admit(tool, call.caller);
    if (!tool.parts) return answer(tool, input, call, []);
    const withheld = withheldParts(tool, call.caller);
    return withhold(await answer(tool, input, call, withheld), withheld);
  }

  /** The parts of a composite tool whose underlying tool the caller may not call. */
  function withheldParts(tool: AnyReadTool, caller: Caller): string[] {
    const parts = Object.entries(tool.parts ?? {});
    const withheld = parts
      .filter(
        ([, part]) =>
          !isAllowed(options.policy, caller, { ...part, name: part.needs, risk: 'read' }),
      )
      .map(([name]) => name);
    if (parts.length > 0 && withheld.length === parts.length) {
      throw new ForbiddenError(
        `Your roles (${caller.roles.join(', ') || 'none'}) grant none of what "${tool.name}" combines (${parts.map(([, part]) => part.needs).join(', ')}). Ask an administrator for a role that grants one of them; GET /tools lists the tools you may use.`,
      );
    }
    return withheld;
  }

  async function answer(
    tool: AnyReadTool,
    input: unknown,
    call: RunCall,
    withheld: readonly string[],
  ): Promise<ToolResult> {
    const { prefetch, cache } = options;
    const conversationId = call.conversationId;
    if (prefetch && cache && conversationId && tool.name === prefetch.tool.name) {
      const started = performance.now();
      const key = prefetch.keyOf(call.caller, conversationId, input);
      const prefetched = await cache.get(tool.name, key);
      if (prefetched.fresh && prefetched.entry) {
        return {
          data: prefetched.entry.value,
          meta: {
            requestId: call.requestId,
            durationMs: Math.round(performance.now() - started),
            degraded: [],
            cache: 'hit',
            prefetched: true,
          },
        };
      }
      return runLive(tool, input, call, withheld);
    }
    // A prefetch runs later, without the caller's token: none for a system it would exchange for.
    const exchanges = prefetch?.tool.systems.some((system) =>
      options.exchangedCredentials?.covers(system),
    );
    const starting = exchanges ? undefined : prefetch?.start(call, tool, input);
    try {
      return await runLive(tool, input, call, withheld);
    } finally {
      await starting;
    }
  }

  async function runLive(
    tool: AnyReadTool,
    input: unknown,
    call: RunCall,
    withheld: readonly string[],
  ): Promise<ToolResult> {
    const started = performance.now();
    const ctx = contextFor(tool.systems, call, tool.timeoutMs, withheld);
    const meta = (cache: ToolResult['meta']['cache'], degraded = ctx.degraded) => ({
      requestId: call.requestId,
      durationMs: Math.round(performance.now() - started),
      degraded,
      cache,
    });
    const cache =
      tool.cache && options.cache
        ? {
            ttlSeconds: Math.min(
              tool.cache.ttlSeconds,
              options.maxCacheTtlSeconds ?? Number.POSITIVE_INFINITY,
            ),
            store: options.cache,
            // Callers who may see different parts, or whose own credentials answer, never share one.
            key: inputDigest(
              tool.systems.some(
                (system) =>
                  options.userCredentials?.covers(system) ||
                  options.exchangedCredentials?.covers(system),
              )
                ? { input, withheld, sub: call.caller.sub }
                : withheld.length > 0
                  ? { input, withheld }
                  : input,
            ),
          }
        : undefined;
    const cached = cache ? await cache.store.get(tool.name, cache.key) : undefined;
    if (cached?.fresh && cached.entry) return { data: cached.entry.value, meta: meta('hit') };
    try {
      const data = tool.output.parse(await tool.run(ctx, input));
      if (cache) await cache.store.set(tool.name, cache.key, data, cache.ttlSeconds);
      return { data, meta: meta(cache ? 'miss' : 'none') };
    } catch (error) {
      // Reference data the system cannot give right now: the last known answer, marked stale.
      if (cached?.entry && error instanceof AppError && error.retryable) {
        const asOf = new Date(cached.entry.storedAt).toISOString();
        const stale = tool.systems.map((system) => ({
          system,
          reason: `${error.code}; stale data from ${asOf}`,
        }));
        return { data: cached.entry.value, meta: meta('hit', stale) };
      }
      throw error;
    }
  }

  /** Runs a conversation-start prefetch and keeps its answer for the conversation, unless degraded. */
  async function prefill(request: PrefetchRequest): Promise<void> {
    const { prefetch, cache } = options;
    if (!prefetch || !cache) return;
    const result = await run(prefetch.tool, request.input, {
      requestId: `prefetch-${randomUUID()}`,
      caller: request.caller,
    });
    if (result.meta.degraded.length > 0) return;
    const key = prefetch.keyOf(request.caller, request.conversationId, request.input);
    await cache.set(prefetch.tool.name, key, result.data, prefetch.ttlSeconds);
  }

  /** Whether the system is called with tokens exchanged for the caller's own (only during a call). */
  const exchanges = (systemId: string): boolean =>
    options.exchangedCredentials?.covers(systemId) === true;

  return { contextFor, admit, run, prefill, exchanges };
}

/** Blanks the withheld parts, whatever the tool or a prefetch returned, and names them in `meta`. */
function withhold(result: ToolResult, withheld: readonly string[]): ToolResult {
  const data = { ...(result.data as Record<string, unknown>) };
  for (const part of withheld) data[part] = null;
  return {
    data,
    meta: { ...result.meta, withheld: withheld.map((part) => ({ part, reason: 'forbidden' })) },
  };
}

export type ToolRunner = ReturnType<typeof createToolRunner>;
