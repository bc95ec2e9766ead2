import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { SystemSettings } from '#layers/config/system-settings.ts';
import { UpstreamCalls } from '#layers/connectors/upstream-calls.ts';
import {
  type AppError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '#layers/errors/index.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { SharedCircuitBreaker } from '#layers/resilience/circuit-breaker.ts';
import { ResponseCache } from '#layers/resilience/response-cache.ts';
import { defineReadTool } from '#layers/tools/define.ts';
import { createToolRunner, type ToolRunnerOptions } from '#layers/tools/tool-runner.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';
import { fakeFetch, hang, jsonResponse, type Reply } from '#test/helpers/fake-fetch.ts';

const thing = z.object({
  id: z.string().describe('Thing id.'),
  name: z.string().describe('Thing name.'),
});

/** A read of one CRM record: what the runner does around a tool, not what a real tool reads. */
const readTool = (options: { timeoutMs?: number; cache?: { ttlSeconds: number } } = {}) =>
  defineReadTool({
    name: 'get_thing',
    title: 'Get a thing',
    description: 'Reads one thing from the CRM. Use it in tests.',
    risk: 'read',
    systems: ['crm'],
    ...options,
    input: z.strictObject({ id: z.string().describe('Thing id.') }),
    output: thing,
    run: async (ctx, input) => {
      const crm = ctx.connectors.crm;
      if (!crm) throw new Error('no CRM connector');
      return crm.request({ operation: 'things.get', path: `/things/${input.id}`, response: thing });
    },
  });

const call = { requestId: 'req-runner-1', caller: { sub: 'ana', roles: ['support'] } };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A runner for the CRM sandbox's shape at crm.example, over a fake fetch. */
function runnerWith(
  reply: Reply,
  options: { crm?: SystemSettings; defaultTimeoutMs?: number } & Partial<ToolRunnerOptions> = {},
) {
  const fake = fakeFetch(reply);
  const { crm, defaultTimeoutMs, ...rest } = options;
  const runner = createToolRunner({
    systemSettings: new Map([
      ['crm', { baseUrl: 'https://crm.example', secretId: 'toolgate/crm', ...crm }],
    ]),
    policy: defaultPolicy,
    secrets: { getJson: async () => ({ token: 'crm-token' }) },
    logger: silent,
    settings: {
      mail: { sender: 'a@acme.example', allowedSenders: [], roleSenders: {}, aiFooter: 'AI' },
    },
    defaultTimeoutMs: defaultTimeoutMs ?? 1000,
    fetch: fake.fetch,
    ...rest,
  });
  return { runner, seen: fake.seen };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as AppError,
  );

describe('createToolRunner', () => {
  it('reads from the system with its credentials and the request id, and answers the checked data', async () => {
    // Arrange
    const { runner, seen } = runnerWith(() =>
      jsonResponse(200, { id: 'T-1', name: 'Pallet jack', internal: 'dropped' }),
    );

    // Act
    const result = await runner.run(readTool(), { id: 'T-1' }, call);

    // Assert
    expect(result.data).toEqual({ id: 'T-1', name: 'Pallet jack' });
    expect(result.meta).toMatchObject({ requestId: 'req-runner-1', degraded: [], cache: 'none' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('https://crm.example/things/T-1');
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer crm-token');
    expect(seen[0]?.headers.get('x-request-id')).toBe('req-runner-1');
  });

  it('calls a system set to exchange with the caller’s exchanged token, never the service one, and notes it', async () => {
    // Arrange: an exchange that hands back a token naming the subject token it was given.
    const exchanged: { systemId: string; sub: string; subjectToken: string | undefined }[] = [];
    const { runner, seen } = runnerWith(() => jsonResponse(200, { id: 'T-1', name: 'Jack' }), {
      exchangedCredentials: {
        covers: (systemId) => systemId === 'crm',
        authenticatorFor: (systemId, sub, subjectToken) => {
          exchanged.push({ systemId, sub, subjectToken });
          return {
            headers: async () => ({ authorization: `Bearer for-crm-${subjectToken}` }),
            invalidate: () => undefined,
          };
        },
      },
    });
    const upstream = new UpstreamCalls();
    // Act
    await runner.run(readTool(), { id: 'T-1' }, { ...call, subjectToken: 'ana-jwt', upstream });
    // Assert
    expect(exchanged).toEqual([{ systemId: 'crm', sub: 'ana', subjectToken: 'ana-jwt' }]);
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer for-crm-ana-jwt');
    expect(upstream.list()).toEqual([
      expect.objectContaining({ system: 'crm', credential: 'exchange', status: 200 }),
    ]);
  });

  it('keeps the service credential for a system that is not set to exchange', async () => {
    // Arrange
    const { runner, seen } = runnerWith(() => jsonResponse(200, { id: 'T-1', name: 'Jack' }), {
      exchangedCredentials: {
        covers: (systemId) => systemId === 'erp',
        authenticatorFor: () => {
          throw new Error('not for the CRM');
        },
      },
    });
    const upstream = new UpstreamCalls();
    // Act
    await runner.run(readTool(), { id: 'T-1' }, { ...call, subjectToken: 'ana-jwt', upstream });
    // Assert
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer crm-token');
    expect(upstream.list()[0]?.credential).toBe('service');
  });

  it('retries a transient 503 and answers when the next try succeeds', async () => {
    // Arrange
    let tries = 0;
    const { runner, seen } = runnerWith(() =>
      ++tries === 1
        ? jsonResponse(503, { message: 'busy' })
        : jsonResponse(200, { id: 'T-2', name: 'Forklift' }),
    );

    // Act
    const result = await runner.run(readTool(), { id: 'T-2' }, call);

    // Assert
    expect(result.data).toEqual({ id: 'T-2', name: 'Forklift' });
    expect(seen).toHaveLength(2);
  });

  it('does not retry a 400, which the system meant', async () => {
    // Arrange
    const { runner, seen } = runnerWith(() => jsonResponse(400, { message: 'bad id' }));

    // Act
    const error = await failure(runner.run(readTool(), { id: 'T-3' }, call));

    // Assert
    expect(error.code).toBe('upstream_rejected');
    expect(seen).toHaveLength(1);
  });

  it('answers 504 upstream_timeout when the system does not answer within its timeout', async () => {
    // Arrange: the call's deadline is the system's timeout, so no retry fits in it
    const { runner, seen } = runnerWith(hang, { crm: { timeoutMs: 50 }, defaultTimeoutMs: 50 });

    // Act
    const error = await failure(runner.run(readTool(), { id: 'T-4' }, call));

    // Assert
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error.statusCode).toBe(504);
    expect(error.message).toContain('did not answer within 50 ms');
    expect(seen).toHaveLength(1);
  });

  it('retries a timed-out try within the tool’s longer deadline', async () => {
    // Arrange
    let tries = 0;
    const { runner, seen } = runnerWith(
      (request, signal) =>
        ++tries === 1 ? hang(request, signal) : jsonResponse(200, { id: 'T-5', name: 'Crate' }),
      { crm: { timeoutMs: 50 }, defaultTimeoutMs: 50 },
    );

    // Act
    const result = await runner.run(readTool({ timeoutMs: 2_000 }), { id: 'T-5' }, call);

    // Assert
    expect(result.data).toEqual({ id: 'T-5', name: 'Crate' });
    expect(seen).toHaveLength(2);
  });
});

describe('createToolRunner with shared state (dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let now = Date.parse('2026-11-23T10:00:00.000Z');
  const clock = () => now;

  beforeAll(async () => {
    db = await startTables();
  });
  afterAll(() => db.close());

  it('fails fast with 503 circuit open, without calling the system, once failures opened the breaker, and closes on a probe after the cool-down', async () => {
    // Arrange: a breaker that opens when half of 3 calls fail; the system answers 503
    let down = true;
    const breaker = new SharedCircuitBreaker({
      client: db.client,
      tableName: localTableNames.resilience,
      systemId: 'crm',
      displayName: 'CRM',
      policy: { minimumCalls: 3, failureRate: 0.5, coolDownMs: 30_000 },
      now: clock,
    });
    const { runner, seen } = runnerWith(
      () =>
        down
          ? jsonResponse(503, { message: 'down' })
          : jsonResponse(200, { id: 'T-6', name: 'Bin' }),
      { breakerFor: () => breaker },
    );
    const outage = await failure(runner.run(readTool(), { id: 'T-6' }, call));
    const triedDuringOutage = seen.length;

    // Act
    const fast = await failure(runner.run(readTool(), { id: 'T-6' }, call));
    down = false;
    now += 30_001;
    const probe = await runner.run(readTool(), { id: 'T-6' }, call);

    // Assert
    expect(outage).toBeInstanceOf(UpstreamUnavailableError);
    expect(triedDuringOutage).toBe(3);
    expect(fast.statusCode).toBe(503);
    expect(fast.message).toContain('circuit open');
    expect(fast.retryAfterMs).toBeGreaterThan(29_000);
    expect(probe.data).toEqual({ id: 'T-6', name: 'Bin' });
    expect(seen).toHaveLength(triedDuringOutage + 1);
  });

  it('answers a cached tool from the cache, then the stale answer marked degraded once it expired while the system is down', async () => {
    // Arrange
    let down = false;
    const cache = new ResponseCache({
      client: db.client,
      tableName: localTableNames.resilience,
      now: clock,
    });
    const { runner, seen } = runnerWith(
      () =>
        down
          ? jsonResponse(503, { message: 'down' })
          : jsonResponse(200, { id: 'T-7', name: 'Tote' }),
      { cache },
    );
    const cached = readTool({ cache: { ttlSeconds: 60 } });
    const storedAt = now;

    // Act
    const first = await runner.run(cached, { id: 'T-7' }, call);
    const second = await runner.run(cached, { id: 'T-7' }, call);
    const callsAfterHit = seen.length;
    down = true;
    now += 60_001;
    const stale = await runner.run(cached, { id: 'T-7' }, call);

    // Assert
    expect(first.meta.cache).toBe('miss');
    expect(second.meta.cache).toBe('hit');
    expect(callsAfterHit).toBe(1);
    expect(seen.length).toBeGreaterThan(callsAfterHit); // the expired entry went upstream
    expect(stale.data).toEqual(first.data);
    expect(stale.meta.cache).toBe('hit');
    expect(stale.meta.degraded).toEqual([
      {
        system: 'crm',
        reason: `upstream_unavailable; stale data from ${new Date(storedAt).toISOString()}`,
      },
    ]);
  });
});
