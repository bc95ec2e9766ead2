import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

/** A loopback port nothing listens on: taken, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('token exchange when the identity provider is down', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({
      SYSTEM_CRM_CREDENTIAL: 'exchange',
      TOKEN_EXCHANGE_URL: `http://127.0.0.1:${await closedPort()}/token`,
    });
  }, 60_000);
  afterAll(() => local.stop());

  it('answers 503 upstream_unavailable, retryable, and never calls the CRM', async () => {
    // Arrange
    const before = await fetch(`${local.sandboxes.crm}/_sandbox/requests`).then(
      async (res) => ((await res.json()) as { requests: unknown[] }).requests.length,
    );
    // Act
    const res = await local.call('POST', '/tools/search_customers', {
      as: { sub: 'ana', roles: ['support'] },
      body: { query: 'C-0000', limit: 5 },
    });
    // Assert
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    expect(res.body.error.message).toContain('identity provider');
    expect(res.headers.get('retry-after')).not.toBeNull();
    const after = await fetch(`${local.sandboxes.crm}/_sandbox/requests`).then(
      async (response) => ((await response.json()) as { requests: unknown[] }).requests.length,
    );
    expect(after).toBe(before);
  });
});
