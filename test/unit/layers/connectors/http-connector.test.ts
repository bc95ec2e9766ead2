import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuthenticator } from '#layers/connectors/authenticator.ts';
import { createHttpConnector } from '#layers/connectors/http-connector.ts';
import { defineSystem, type SystemDeclaration } from '#layers/connectors/system-definition.ts';
import { type AppError, NotFoundError } from '#layers/errors/index.ts';
import { RetryBudget } from '#layers/resilience/retry-budget.ts';
import type { SecretProvider } from '#layers/secrets/secret-provider.ts';
import { fakeFetch, hang, jsonResponse, type Reply } from '#test/helpers/fake-fetch.ts';

const silent = { debug: () => undefined, warn: () => undefined };

function secretsOf(...values: Record<string, unknown>[]) {
  let reads = 0;
  const provider: SecretProvider & { forced: number } = {
    forced: 0,
    async getJson(_id, options) {
      if (options?.forceFetch) provider.forced++;
      const value = values[Math.min(reads, values.length - 1)];
      reads++;
      return value ?? {};
    },
  };
  return provider;
}

function connector(
  reply: Reply,
  options: {
    retry?: { maxAttempts: number; budget: RetryBudget };
    deadlineAt?: number;
    auth?: SystemDeclaration['auth'];
    secrets?: SecretProvider;
    timeoutMs?: number;
    pagination?: SystemDeclaration['pagination'];
    metrics?: { record(success: boolean, durationMs: number): void };
  } = {},
) {
  const system = defineSystem({
    id: 'crm',
    displayName: 'CRM',
    apiShape: 'test',
    auth: options.auth ?? { type: 'bearer' },
    pagination: options.pagination ?? { style: 'hubspot_after', maxPageSize: 2 },
  });
  const fake = fakeFetch(reply);
  const secrets = options.secrets ?? secretsOf({ token: 'tok-1' });
  const authenticator = createAuthenticator({
    system,
    baseUrl: 'http://crm.test/base',
    secretId: 'crm',
    secrets,
  });
  const instance = createHttpConnector({
    system,
    baseUrl: 'http://crm.test/base',
    authenticator,
    timeoutMs: options.timeoutMs ?? 1000,
    requestId: 'req-123',
    logger: silent,
    fetch: fake.fetch,
    ...(options.retry ? { retry: { ...options.retry, random: () => 0 } } : {}),
    ...(options.deadlineAt ? { deadlineAt: options.deadlineAt } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return { instance, seen: fake.seen };
}

const ok = z.object({ ok: z.boolean() });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as AppError,
  );

describe('createHttpConnector', () => {
  it('sends the credentials, the request id and the query to the base URL', async () => {
    const { instance, seen } = connector(() => jsonResponse(200, { ok: true }));
    const result = await instance.request({
      operation: 'things.get',
      path: '/things/1',
      query: { a: 'x y', skip: undefined },
      response: ok,
    });
    expect(result).toEqual({ ok: true });
    expect(seen[0]?.url).toBe('http://crm.test/base/things/1?a=x+y');
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer tok-1');
    expect(seen[0]?.headers.get('x-request-id')).toBe('req-123');
  });

  it('refreshes the credentials once and retries when the system answers 401', async () => {
    const secrets = secretsOf({ token: 'stale' }, { token: 'fresh' });
    const { instance, seen } = connector(
      (request) =>
        request.headers.get('authorization') === 'Bearer fresh'
          ? jsonResponse(200, { ok: true })
          : jsonResponse(401, { message: 'bad token' }),
      { secrets },
    );
    await expect(instance.request({ operation: 'x', path: '/x', response: ok })).resolves.toEqual({
      ok: true,
    });
    expect(seen).toHaveLength(2);
    expect(secrets.forced).toBe(1);
  });

  it('gives up with a configuration error when the refreshed credentials fail too', async () => {
    const { instance, seen } = connector(() =>
      jsonResponse(401, { message: 'secret-upstream-detail' }),
    );
    const error = await failure(instance.request({ operation: 'x', path: '/x', response: ok }));
    expect(error.code).toBe('upstream_auth_failed');
    expect(error.category).toBe('configuration');
    expect(error.message).not.toContain('secret-upstream-detail');
    expect(seen).toHaveLength(2);
  });

  it('maps a 404 to the tool-provided error', async () => {
    const { instance } = connector(() => jsonResponse(404, {}));
    const error = await failure(
      instance.request({
        operation: 'x',
        path: '/x',
        response: ok,
        notFound: () => new NotFoundError('customer_not_found', 'no such customer'),
      }),
    );
    expect(error.code).toBe('customer_not_found');
    expect(error.statusCode).toBe(404);
  });

  it('maps 503 with Retry-After to a retryable 503 without the upstream body', async () => {
    const { instance } = connector(() =>
      jsonResponse(503, { detail: 'internal-stack-trace' }, { 'retry-after': '7' }),
    );
    const error = await failure(instance.request({ operation: 'x', path: '/x', response: ok }));
    expect(error.statusCode).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7000);
    expect(error.message).not.toContain('internal-stack-trace');
  });

  it('maps other 4xx answers to a 502 upstream_rejected', async () => {
    const { instance } = connector(() => jsonResponse(422, {}));
    const error = await failure(instance.request({ operation: 'x', path: '/x', response: ok }));
    expect(error.code).toBe('upstream_rejected');
    expect(error.statusCode).toBe(502);
  });

  it('times out with 504 upstream_timeout when the system does not answer in time', async () => {
    const { instance } = connector(hang, { timeoutMs: 50 });
    const error = await failure(instance.request({ operation: 'x', path: '/x', response: ok }));
    expect(error.code).toBe('upstream_timeout');
    expect(error.statusCode).toBe(504);
  });

  it('times out with 504 when the body is cut off by the deadline, and 503 when the connection drops it', async () => {
    // Arrange: headers arrive at once, the body stalls (then is aborted) or breaks off
    const stalled = (signal: AbortSignal | undefined) =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"ok":'));
            signal?.addEventListener('abort', () => controller.error(signal.reason));
          },
        }),
        { status: 200 },
      );
    const broken = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"ok":'));
            controller.error(new TypeError('terminated'));
          },
        }),
        { status: 200 },
      );
    const slow = connector((_request, signal) => stalled(signal), { timeoutMs: 50 });
    const cut = connector(broken);
    // Act
    const timedOut = await failure(
      slow.instance.request({ operation: 'things.get', path: '/t', response: ok }),
    );
    const dropped = await failure(
      cut.instance.request({ operation: 'things.get', path: '/t', response: ok }),
    );
    // Assert
    expect(timedOut.code).toBe('upstream_timeout');
    expect(dropped.code).toBe('upstream_unavailable');
  });

  it('maps a refused connection to 503 upstream_unavailable', async () => {
    const { instance } = connector(() => {
      throw new TypeError('fetch failed');
    });
    const error = await failure(instance.request({ operation: 'x', path: '/x', response: ok }));
    expect(error.code).toBe('upstream_unavailable');
  });

  it('refuses an answer that breaks the schema, naming the field', async () => {
    const { instance } = connector(() => jsonResponse(200, { ok: 'yes' }));
    const error = await failure(instance.request({ operation: 'x', path: '/x', response: ok }));
    expect(error.code).toBe('upstream_data_invalid');
    expect(error.message).toContain('ok');
  });

  it('walks HubSpot-style pages until the limit', async () => {
    const pages: Record<string, unknown> = {
      '': { results: [1, 2], paging: { next: { after: 'p2' } } },
      p2: { results: [3, 4], paging: { next: { after: 'p3' } } },
      p3: { results: [5] },
    };
    const { instance, seen } = connector((request) =>
      jsonResponse(200, pages[new URL(request.url).searchParams.get('after') ?? '']),
    );
    const items = await instance.paginate({
      operation: 'list',
      path: '/list',
      response: z.object({ results: z.array(z.number()) }).passthrough(),
      items: (page) => page.results,
      limit: 3,
    });
    expect(items).toEqual([1, 2, 3]);
    expect(seen).toHaveLength(2);
    expect(new URL(seen[0]?.url ?? '').searchParams.get('limit')).toBe('2');
  });

  it('walks Zendesk cursor pages to the end', async () => {
    const { instance } = connector(
      (request) => {
        const after = new URL(request.url).searchParams.get('page[after]');
        return jsonResponse(
          200,
          after
            ? { items: ['c'], meta: { has_more: false, after_cursor: null } }
            : { items: ['a', 'b'], meta: { has_more: true, after_cursor: 'x' } },
        );
      },
      { pagination: { style: 'zendesk_cursor', maxPageSize: 2 } },
    );
    const items = await instance.paginate({
      operation: 'list',
      path: '/list',
      response: z.object({ items: z.array(z.string()) }).passthrough(),
      items: (page) => page.items,
      limit: 10,
    });
    expect(items).toEqual(['a', 'b', 'c']);
  });
});

describe('createHttpConnector retries', () => {
  const flaky = (failures: number, status = 503) => {
    let calls = 0;
    return () => (++calls <= failures ? jsonResponse(status, {}) : jsonResponse(200, { ok: true }));
  };

  it('records every call to the system: each retry is a call, a 404 a working answer, a 503 an error', async () => {
    const recorded: boolean[] = [];
    const metrics = { record: (success: boolean) => void recorded.push(success) };
    const { instance } = connector(flaky(2), {
      retry: { maxAttempts: 3, budget: new RetryBudget() },
      metrics,
    });
    await instance.request({ operation: 'x', path: '/x', response: ok });
    expect(recorded).toEqual([false, false, true]);

    recorded.length = 0;
    const missing = connector(() => jsonResponse(404, {}), { metrics });
    await failure(missing.instance.request({ operation: 'x', path: '/x', response: ok }));
    const down = connector(() => Promise.reject(new TypeError('fetch failed')), { metrics });
    await failure(down.instance.request({ operation: 'x', path: '/x', response: ok }));
    expect(recorded).toEqual([true, false]);
  });

  it('retries transient failures of a read and succeeds', async () => {
    const { instance, seen } = connector(flaky(2), {
      retry: { maxAttempts: 3, budget: new RetryBudget() },
    });
    await expect(instance.request({ operation: 'x', path: '/x', response: ok })).resolves.toEqual({
      ok: true,
    });
    expect(seen).toHaveLength(3);
  });

  it('does not retry a client error, nor a 500', async () => {
    for (const status of [400, 404, 409, 422, 500]) {
      const { instance, seen } = connector(flaky(1, status), {
        retry: { maxAttempts: 3, budget: new RetryBudget() },
      });
      await instance.request({ operation: 'x', path: '/x', response: ok }).catch(() => undefined);
      expect(seen, String(status)).toHaveLength(1);
    }
  });

  it('retries a POST only when it is idempotent or carries an Idempotency-Key', async () => {
    const plain = connector(flaky(1), { retry: { maxAttempts: 3, budget: new RetryBudget() } });
    await plain.instance
      .request({ operation: 'x', method: 'POST', path: '/x', body: {}, response: ok })
      .catch(() => undefined);
    expect(plain.seen).toHaveLength(1);
    const keyed = connector(flaky(1), { retry: { maxAttempts: 3, budget: new RetryBudget() } });
    await keyed.instance.request({
      operation: 'x',
      method: 'POST',
      path: '/x',
      body: {},
      headers: { 'idempotency-key': 'k' },
      response: ok,
    });
    expect(keyed.seen).toHaveLength(2);
  });

  it('does not wait for a Retry-After past the deadline, and passes it on', async () => {
    const { instance, seen } = connector(() => jsonResponse(503, {}, { 'retry-after': '30' }), {
      retry: { maxAttempts: 3, budget: new RetryBudget() },
      deadlineAt: Date.now() + 1000,
    });
    const error = await failure(instance.request({ operation: 'x', path: '/x', response: ok }));
    expect(seen).toHaveLength(1);
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('adds at most about 10% more calls while a system fails half of them', async () => {
    let calls = 0;
    const budget = new RetryBudget({ capacity: 5, refillPerSuccess: 0.1 });
    const { instance } = connector(
      () => (++calls % 2 === 0 ? jsonResponse(503, {}) : jsonResponse(200, { ok: true })),
      {
        retry: { maxAttempts: 3, budget },
      },
    );
    for (let index = 0; index < 1000; index++) {
      await instance.request({ operation: 'x', path: '/x', response: ok }).catch(() => undefined);
    }
    expect(calls).toBeGreaterThan(1000);
    expect(calls).toBeLessThanOrEqual(1000 * 1.1 + 5);
  });
});
