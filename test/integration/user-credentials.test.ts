import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords } from '#test/helpers/audit.ts';
import { installClock, type TestClock } from '#test/helpers/clock.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

/** The CRM sandbox's call log: who called what with which credential. */
async function crmCalls(local: LocalHarness) {
  const res = await fetch(`${local.sandboxes.crm}/_sandbox/requests`);
  return (await res.json()) as {
    requests: { operation: string; requestId: string | null; credential?: string }[];
  };
}

async function crmGrants(local: LocalHarness) {
  const res = await fetch(`${local.sandboxes.crm}/_sandbox/oauth`);
  return (
    (await res.json()) as {
      grants: {
        authorization_code: number;
        refresh_token: number;
        refused: number;
        revocations: number;
      };
    }
  ).grants;
}

/**
 * Connects `sub` to the CRM as a person does, with plain HTTP: POST /connections/crm, the CRM's
 * consent page (GET, then the form's POST as that CRM user), the gateway's callback.
 */
async function connect(local: LocalHarness, sub: string, crmUser = sub) {
  const started = await local.call('POST', '/connections/crm', {
    as: { sub, roles: ['support'] },
    person: true,
  });
  expect(started.status).toBe(201);
  const authorize = new URL(started.body.authorizeUrl);
  const page = await fetch(authorize);
  const html = await page.text();
  expect(page.status).toBe(200);
  expect(html).toContain(`<strong>${sub}</strong>`);
  const form = new URLSearchParams(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      (match): [string, string] => [match[1] ?? '', (match[2] ?? '').replaceAll('&#38;', '&')],
    ),
  );
  form.set('user', crmUser);
  form.set('decision', 'allow');
  const consent = await fetch(new URL('/oauth/authorize', authorize), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    redirect: 'manual',
  });
  expect(consent.status).toBe(302);
  const callback = consent.headers.get('location') ?? '';
  expect(callback.startsWith(`${local.url}/connections/crm/callback?`)).toBe(true);
  const done = await fetch(callback, { redirect: 'manual' });
  expect(done.status).toBe(303);
  expect(done.headers.get('location')).toBe(`${local.url}/console/connections?connected=crm`);
  return callback;
}

describe('per-user credentials (CRM on behalf of the user)', () => {
  let local: LocalHarness;
  let clock: TestClock;
  const ana = { sub: 'ana', roles: ['support'] };
  const bea = { sub: 'bea', roles: ['support'] };

  beforeAll(async () => {
    clock = installClock();
    local = await startLocalHarness({ SYSTEM_CRM_CREDENTIAL: 'user' });
  }, 60_000);
  afterAll(async () => {
    await local.stop();
    clock.restore();
  });

  it('answers connection_required with a connectUrl to a user who has not connected', async () => {
    // Act
    const res = await local.call('POST', '/tools/get_customer', {
      as: { sub: 'dora', roles: ['support'] },
      body: { customerId: 'C-00001' },
    });
    // Assert
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('connection_required');
    expect(res.body.error.connectUrl).toBe(`${local.url}/console/connections?connect=crm`);
    expect(res.body.error.message).toContain(res.body.error.connectUrl);
  });

  it('answers an MCP tool call of an unconnected user with an isError result naming the link', async () => {
    // Arrange
    const agent = await connectMcp(local, { sub: 'dora', roles: ['support'] });
    try {
      // Act
      const result = await agent.callTool({
        name: 'get_customer',
        arguments: { customerId: 'C-00001' },
      });
      // Assert
      const connectUrl = `${local.url}/console/connections?connect=crm`;
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({
        error: { code: 'connection_required', connectUrl },
      });
      expect(JSON.stringify(result.content)).toContain(connectUrl);
    } finally {
      await agent.close();
    }
  });

  it('sends an MCP client that declared URL elicitation to the connect page with error -32042', async () => {
    // Arrange
    const agent = await connectMcp(
      local,
      { sub: 'dora', roles: ['support'] },
      { capabilities: { elicitation: { url: {} } } },
    );
    try {
      // Act
      const refused = await agent
        .callTool({ name: 'get_customer', arguments: { customerId: 'C-00001' } })
        .then(
          () => undefined,
          (error: { code?: number; data?: { elicitations?: { url?: string }[] } }) => error,
        );
      // Assert
      expect(refused?.code).toBe(-32042);
      expect(refused?.data?.elicitations?.[0]).toMatchObject({
        mode: 'url',
        url: `${local.url}/console/connections?connect=crm`,
        elicitationId: 'connect-dora-crm',
      });
    } finally {
      await agent.close();
    }
  });

  it('gives two support users different CRM data through the same tool once each connected', async () => {
    // Arrange
    await connect(local, 'ana');
    await connect(local, 'bea');
    const before = (await crmCalls(local)).requests.length;
    // Act
    const anaOwn = await local.call('POST', '/tools/get_customer', {
      as: ana,
      body: { customerId: 'C-00001' },
      headers: { 'x-request-id': 'obo-ana-1' },
    });
    const beaOther = await local.call('POST', '/tools/get_customer', {
      as: bea,
      body: { customerId: 'C-00001' },
      headers: { 'x-request-id': 'obo-bea-1' },
    });
    const beaOwn = await local.call('POST', '/tools/get_customer', {
      as: bea,
      body: { customerId: 'C-00002' },
      headers: { 'x-request-id': 'obo-bea-2' },
    });
    const anaSearch = await local.call('POST', '/tools/search_customers', {
      as: ana,
      body: { query: 'C-0000', limit: 50 },
    });
    const beaSearch = await local.call('POST', '/tools/search_customers', {
      as: bea,
      body: { query: 'C-0000', limit: 50 },
    });
    // Assert: ana owns C-00001, bea C-00002 (the sandbox's owners, round-robin)
    expect(anaOwn.status).toBe(200);
    expect(anaOwn.body.data.customer.id).toBe('C-00001');
    expect(beaOther.status).toBe(404);
    expect(beaOther.body.error.code).toBe('customer_not_found');
    expect(beaOwn.status).toBe(200);
    const ids = (res: typeof anaSearch) =>
      (res.body.data.customers as { id: string }[]).map((customer) => customer.id);
    expect(ids(anaSearch)).toContain('C-00001');
    expect(ids(anaSearch)).not.toContain('C-00002');
    expect(ids(beaSearch)).toContain('C-00002');
    expect(ids(beaSearch)).not.toContain('C-00001');
    // The CRM saw each user's own token, never the service credential.
    const calls = (await crmCalls(local)).requests.slice(before);
    const objectCalls = calls.filter((call) => !call.operation.startsWith('oauth.'));
    expect(objectCalls.length).toBeGreaterThanOrEqual(5);
    expect(objectCalls.some((call) => call.credential === 'service')).toBe(false);
    expect(new Set(objectCalls.map((call) => call.credential))).toEqual(
      new Set(['user:ana', 'user:bea']),
    );
    // The audit names the user, the agent and the credential.
    const records = await auditRecords(local);
    const record = records.find((found) => found.requestId === 'obo-ana-1');
    expect(record?.sub).toBe('ana');
    const upstream = record?.upstream as { system: string; credential: string }[];
    expect(upstream.length).toBeGreaterThan(0);
    for (const call of upstream) expect(call).toMatchObject({ system: 'crm', credential: 'user' });
  });

  it("proposes an order only for a customer the user owns in the CRM, as the user's own writes", async () => {
    // Arrange: ana, here in the sales role, owns C-00001 in the CRM, not C-00002
    await connect(local, 'ana');
    const anaSales = { sub: 'ana', roles: ['sales'] };
    const order = (customerId: string) => ({
      customerId,
      lines: [{ sku: 'SKU-10001', quantity: 1 }],
    });
    // Act
    const own = await local.call('POST', '/tools/create_order', {
      as: anaSales,
      body: order('C-00001'),
    });
    const other = await local.call('POST', '/tools/create_order', {
      as: anaSales,
      body: order('C-00002'),
    });
    // Assert
    expect(own.status, JSON.stringify(own.body)).toBe(202);
    expect(own.body.confirmation.confirmBy).toBe('self');
    expect(other.status, JSON.stringify(other.body)).toBe(404);
    expect(other.body.error.code).toBe('customer_not_found');
  });

  it('lists the caller’s connection without any token', async () => {
    // Act
    const res = await local.call('GET', '/connections', { as: ana });
    // Assert
    expect(res.status).toBe(200);
    expect(res.body.connections).toEqual([
      expect.objectContaining({ system: 'crm', status: 'connected' }),
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/crm-user-|crm-refresh-/);
  });

  it('refreshes an expiring token once for concurrent calls', async () => {
    // Arrange: carl's token is in its last minute (the gateway refreshes 60 s before expiry)
    await connect(local, 'carl');
    await local.call('POST', '/tools/get_customer', {
      as: { sub: 'carl', roles: ['support'] },
      body: { customerId: 'C-00003' },
    });
    clock.advance(1800_000 - 30_000);
    const before = await crmGrants(local);
    // Act
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        local.call('POST', '/tools/get_customer', {
          as: { sub: 'carl', roles: ['support'] },
          body: { customerId: 'C-00003' },
        }),
      ),
    );
    // Assert
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(200));
    const after = await crmGrants(local);
    expect(after.refresh_token - before.refresh_token).toBe(1);
  });

  it('answers connection_required and marks the connection broken when the CRM refuses the refresh', async () => {
    // Arrange: the user removed the app in the CRM (every token of the grant is revoked)
    await connect(local, 'ana');
    await local.call('POST', '/tools/get_customer', { as: ana, body: { customerId: 'C-00001' } });
    await fetch(`${local.sandboxes.crm}/_sandbox/oauth/users/ana/revoke`, { method: 'POST' });
    const before = await crmGrants(local);
    // Act
    const refused = await local.call('POST', '/tools/get_customer', {
      as: ana,
      body: { customerId: 'C-00001' },
    });
    const again = await local.call('POST', '/tools/get_customer', {
      as: ana,
      body: { customerId: 'C-00001' },
    });
    const listed = await local.call('GET', '/connections', { as: ana });
    // Assert: one refresh (refused), then connection_required without another
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('connection_required');
    expect(refused.body.error.message).toMatch(/marked broken/);
    expect(again.body.error.code).toBe('connection_required');
    const after = await crmGrants(local);
    expect(after.refused - before.refused).toBe(1);
    expect(listed.body.connections[0].status).toBe('broken');
  });

  it('refuses a callback whose state was already used, and audits both callbacks', async () => {
    // Arrange
    const callback = await connect(local, 'bea');
    const state = new URL(callback).searchParams.get('state');
    // Act
    const replay = await fetch(callback, { redirect: 'manual' });
    // Assert
    const replayed = (await replay.json()) as { error: { code: string }; requestId: string };
    expect(replay.status).toBe(400);
    expect(replayed.error.code).toBe('connect_state_invalid');
    const callbacks = (await auditRecords(local)).filter(
      (record) => record.tool === 'GET /connections/{system}/callback',
    );
    const refused = callbacks.find(
      (record) => record.requestId === replay.headers.get('x-request-id'),
    );
    expect(refused).toMatchObject({
      sub: 'anonymous',
      outcome: 'error',
      statusCode: 400,
      errorCode: 'connect_state_invalid',
      input: JSON.stringify({ system: 'crm' }),
    });
    expect(callbacks).toContainEqual(
      expect.objectContaining({ sub: 'bea', outcome: 'success', statusCode: 303 }),
    );
    expect(JSON.stringify(callbacks)).not.toContain(state);
  });

  it('revokes a connection at the CRM and forgets it', async () => {
    // Arrange
    await connect(local, 'bea');
    const before = await crmGrants(local);
    // Act
    const revoked = await local.call('DELETE', '/connections/crm', { as: bea, person: true });
    const after = await local.call('POST', '/tools/get_customer', {
      as: bea,
      body: { customerId: 'C-00002' },
    });
    // Assert
    expect(revoked.status).toBe(204);
    expect((await crmGrants(local)).revocations - before.revocations).toBe(1);
    expect(after.status, JSON.stringify(after.body)).toBe(403);
    expect(after.body.error.code).toBe('connection_required');
  });
});
