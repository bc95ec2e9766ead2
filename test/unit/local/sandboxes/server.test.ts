import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningSandbox,
  type SandboxDefinition,
  startSandbox,
} from '#local/sandboxes/server.ts';
import { call, resetFaults, setFaults } from './support.ts';

const auth = { authorization: 'Bearer ok' };

/** A toy system: enough routes to exercise the router, the credential check and the faults. */
const toy: SandboxDefinition = {
  name: 'toy',
  routes: [
    {
      method: 'GET',
      path: '/things/{id}.json',
      operation: 'things.get',
      handle: ({ params, query }) => ({ status: 200, body: { id: params.id, q: query.get('q') } }),
    },
    {
      method: 'POST',
      path: '/things',
      operation: 'things.create',
      handle: ({ body }) => ({ status: 201, body: { received: body } }),
    },
    {
      method: 'GET',
      path: '/public',
      operation: 'public.get',
      authenticated: false,
      handle: () => ({ status: 200, body: { public: true } }),
    },
  ],
  authenticate: (headers) =>
    headers.authorization === 'Bearer ok' ? undefined : { status: 401, body: { toyError: 'who?' } },
  errorReply: (status, message) => ({ status, body: { toyError: message } }),
};

describe('startSandbox routing', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(toy);
  });
  afterAll(() => sandbox.close());

  it('listens on an ephemeral loopback port by default', () => {
    // Assert
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.url).not.toMatch(/:0$/);
  });

  it('passes decoded path parameters and the query to the handler', async () => {
    // Act
    const res = await call(`${sandbox.url}/things/a%20b.json?q=x`, { headers: auth });

    // Assert
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body).toEqual({ id: 'a b', q: 'x' });
  });

  it('returns 400 in the vendor shape, never 500, when a path parameter does not decode', async () => {
    const res = await call(`${sandbox.url}/things/%E0%A4%A.json`, { headers: auth });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ toyError: 'Malformed percent-encoding in id' });
  });

  it('parses JSON and form-encoded bodies', async () => {
    // Act
    const json = await call(`${sandbox.url}/things`, {
      method: 'POST',
      headers: auth,
      body: { name: 'n' },
    });
    const form = await fetch(`${sandbox.url}/things`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=two',
    });

    // Assert
    expect(json.status).toBe(201);
    expect(json.body).toEqual({ received: { name: 'n' } });
    expect(await form.json()).toEqual({ received: { a: '1', b: 'two' } });
  });

  it('returns 400 in the vendor shape when the JSON body is malformed', async () => {
    // Act
    const res = await call(`${sandbox.url}/things`, { method: 'POST', headers: auth, body: '{' });

    // Assert
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ toyError: 'malformed JSON' });
  });

  it('returns 413 when the body is larger than 1 MB', async () => {
    // Act
    const res = await call(`${sandbox.url}/things`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ padding: 'x'.repeat(1024 * 1024) }),
    });

    // Assert
    expect(res.status).toBe(413);
  });

  it('returns 404 in the vendor shape when no route matches', async () => {
    // Act
    const wrongPath = await call(`${sandbox.url}/nothing`, { headers: auth });
    const wrongMethod = await call(`${sandbox.url}/things/1.json`, {
      method: 'DELETE',
      headers: auth,
    });

    // Assert
    expect(wrongPath.status).toBe(404);
    expect(wrongPath.body.toyError).toContain('/nothing');
    expect(wrongMethod.status).toBe(404);
  });

  it('returns the system’s 401 when the credentials are wrong, and skips the check for open routes', async () => {
    // Act
    const denied = await call(`${sandbox.url}/things/1.json`, {
      headers: { authorization: 'Bearer no' },
    });
    const open = await call(`${sandbox.url}/public`);

    // Assert
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({ toyError: 'who?' });
    expect(open.status).toBe(200);
  });

  it('answers health and lists the operation names without credentials', async () => {
    // Act
    const health = await call(`${sandbox.url}/_sandbox/health`);
    const operations = await call(`${sandbox.url}/_sandbox/operations`);

    // Assert
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', system: 'toy' });
    expect(operations.body).toEqual({ operations: ['things.get', 'things.create', 'public.get'] });
  });

  it('records the calls it answered with their request ids', async () => {
    // Arrange
    await call(`${sandbox.url}/things/seen.json`, {
      headers: { ...auth, 'x-request-id': 'req-42' },
    });

    // Act
    const res = await call(`${sandbox.url}/_sandbox/requests`);

    // Assert
    expect(res.body.requests).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        path: '/things/seen.json',
        operation: 'things.get',
        requestId: 'req-42',
        status: 200,
      }),
    );
    expect(res.body.counts['things.get']).toBeGreaterThanOrEqual(1);
  });
});

describe('startSandbox fault switches', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(toy);
  });
  afterEach(() => resetFaults(sandbox.url));
  afterAll(() => sandbox.close());

  it('reports no faults at start', async () => {
    // Act
    const res = await call(`${sandbox.url}/_sandbox/faults`);

    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
  });

  it('delays answers by at least latencyMs', async () => {
    // Arrange
    await setFaults(sandbox.url, { latencyMs: 300 });
    const started = performance.now();

    // Act
    const res = await call(`${sandbox.url}/things/1.json`, { headers: auth });

    // Assert
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('answers with 503 in the vendor shape when errorRate is 1', async () => {
    // Arrange
    await setFaults(sandbox.url, { errorRate: 1 });

    // Act
    const res = await call(`${sandbox.url}/things/1.json`, { headers: auth });

    // Assert
    expect(res.status).toBe(503);
    expect(res.body.toyError).toContain('Injected');
  });

  it('answers with the given status when one is set', async () => {
    // Arrange
    await setFaults(sandbox.url, { errorRate: 1, status: 429 });

    // Act
    const res = await call(`${sandbox.url}/things/1.json`, { headers: auth });

    // Assert
    expect(res.status).toBe(429);
  });

  it('fails about the given share of calls when errorRate is between 0 and 1', async () => {
    // Arrange
    await setFaults(sandbox.url, { errorRate: 0.5 });

    // Act
    const statuses = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const res = await fetch(`${sandbox.url}/things/1.json`, { headers: auth });
        await res.arrayBuffer();
        return res.status;
      }),
    );

    // Assert
    const failed = statuses.filter((status) => status === 503).length;
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    expect(statuses.filter((status) => status === 200).length).toBe(200 - failed);
  });

  it('affects only the named operation when operation is set', async () => {
    // Arrange
    await setFaults(sandbox.url, { errorRate: 1, status: 500, operation: 'things.create' });

    // Act
    const create = await call(`${sandbox.url}/things`, { method: 'POST', headers: auth, body: {} });
    const get = await call(`${sandbox.url}/things/1.json`, { headers: auth });

    // Assert
    expect(create.status).toBe(500);
    expect(get.status).toBe(200);
  });

  it('destroys connections without an answer when down', async () => {
    // Arrange
    await setFaults(sandbox.url, { down: true });

    // Act
    const attempt = fetch(`${sandbox.url}/things/1.json`, { headers: auth });

    // Assert
    await expect(attempt).rejects.toThrow(TypeError);
  });

  it('never applies faults to the _sandbox endpoints', async () => {
    // Arrange
    await setFaults(sandbox.url, { down: true, errorRate: 1, latencyMs: 5000 });
    const started = performance.now();

    // Act
    const health = await call(`${sandbox.url}/_sandbox/health`);
    const current = await call(`${sandbox.url}/_sandbox/faults`);

    // Assert
    expect(health.status).toBe(200);
    expect(current.body).toEqual({ down: true, errorRate: 1, latencyMs: 5000 });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('replaces all switches on PUT and clears them on DELETE', async () => {
    // Arrange
    await setFaults(sandbox.url, { errorRate: 1, operation: 'things.get' });

    // Act
    const replaced = await setFaults(sandbox.url, { latencyMs: 10 });
    const reset = await resetFaults(sandbox.url);
    const afterReset = await call(`${sandbox.url}/things/1.json`, { headers: auth });

    // Assert
    expect(replaced.body).toEqual({ latencyMs: 10 });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({});
    expect(sandbox.faults()).toEqual({});
    expect(afterReset.status).toBe(200);
  });

  it('returns 400 naming the field when a switch is out of range', async () => {
    // Act
    const res = await setFaults(sandbox.url, { latencyMs: 60_001 });

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('latencyMs');
    expect(res.body.issues[0].path).toBe('latencyMs');
  });

  it('returns 400 when the body has an unknown field, a wrong type or is not JSON', async () => {
    // Act
    const unknown = await setFaults(sandbox.url, { latency: 10 });
    const wrongType = await setFaults(sandbox.url, { down: 'yes' });
    const notJson = await setFaults(sandbox.url, 'down');

    // Assert
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('latency');
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toContain('down');
    expect(notJson.status).toBe(400);
    expect(sandbox.faults()).toEqual({});
  });

  it('returns 400 naming the operation when it is unknown', async () => {
    // Act
    const res = await setFaults(sandbox.url, { operation: 'things.purge' });

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('things.purge');
  });

  it('sets switches in process through setFaults', async () => {
    // Arrange
    sandbox.setFaults({ errorRate: 1, status: 502 });

    // Act
    const res = await call(`${sandbox.url}/things/1.json`, { headers: auth });

    // Assert
    expect(res.status).toBe(502);
  });
});

describe('startSandbox close', () => {
  const timers = () =>
    process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

  it('closes promptly and leaves no timer behind while a call waits out an injected delay', async () => {
    // Arrange
    const timersBefore = timers();
    const sandbox = await startSandbox(toy);
    sandbox.setFaults({ latencyMs: 60_000 });
    const pending = fetch(`${sandbox.url}/things/1.json`, { headers: auth });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();

    // Act
    await sandbox.close();

    // Assert
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow(TypeError);
    await expect(fetch(`${sandbox.url}/_sandbox/health`)).rejects.toThrow(TypeError);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  });
});
