import { readFile } from 'node:fs/promises';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

/** The CRM sandbox's call log: who called what with which credential. */
async function crmCalls(local: LocalHarness) {
  const res = await fetch(`${local.sandboxes.crm}/_sandbox/requests`);
  return (
    (await res.json()) as {
      requests: { operation: string; requestId: string | null; credential?: string }[];
    }
  ).requests;
}

async function crmGrants(local: LocalHarness) {
  const res = await fetch(`${local.sandboxes.crm}/_sandbox/oauth`);
  return ((await res.json()) as { grants: Record<string, number> }).grants;
}

const customerIds = (res: { body: { data: { customers: { id: string }[] } } }) =>
  res.body.data.customers.map((customer) => customer.id);

describe('token exchange (CRM called with a token exchanged for the caller’s own)', () => {
  let local: LocalHarness;
  const ana = { sub: 'ana', roles: ['support'] };
  const bea = { sub: 'bea', roles: ['support'] };

  beforeAll(async () => {
    local = await startLocalHarness({ SYSTEM_CRM_CREDENTIAL: 'exchange' });
  }, 60_000);
  afterAll(() => local.stop());

  it('gives two support users different CRM data with no connect step, and the audit says exchange', async () => {
    // Arrange
    const before = (await crmCalls(local)).length;
    // Act
    const anaSearch = await local.call('POST', '/tools/search_customers', {
      as: ana,
      body: { query: 'C-0000', limit: 50 },
      headers: { 'x-request-id': 'exchange-ana-1' },
    });
    const beaSearch = await local.call('POST', '/tools/search_customers', {
      as: bea,
      body: { query: 'C-0000', limit: 50 },
      headers: { 'x-request-id': 'exchange-bea-1' },
    });
    const beaOther = await local.call('POST', '/tools/get_customer', {
      as: bea,
      body: { customerId: 'C-00001' },
    });
    // Assert: ana owns C-00001, bea C-00002 (the sandbox's owners, round-robin).
    expect(anaSearch.status).toBe(200);
    expect(beaSearch.status).toBe(200);
    expect(customerIds(anaSearch)).toContain('C-00001');
    expect(customerIds(anaSearch)).not.toContain('C-00002');
    expect(customerIds(beaSearch)).toContain('C-00002');
    expect(customerIds(beaSearch)).not.toContain('C-00001');
    expect(beaOther.status).toBe(404);
    // The CRM saw the identity provider's exchanged tokens only: never the service credential,
    // and nobody went through the CRM's own OAuth (no connection).
    const calls = (await crmCalls(local)).slice(before);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(calls.map((call) => call.credential))).toEqual(
      new Set(['exchange:ana', 'exchange:bea']),
    );
    expect(await crmGrants(local)).toMatchObject({ authorization_code: 0, refresh_token: 0 });
    // The audit, as an auditor searches it, names the credential of every CRM call.
    await local.auditDelivered();
    const audit = await local.call('GET', '/audit?requestId=exchange-ana-1', {
      as: { sub: 'ida', roles: ['auditor'] },
    });
    expect(audit.status).toBe(200);
    const upstream = audit.body.records[0]?.upstream as { system: string; credential: string }[];
    expect(upstream.length).toBeGreaterThan(0);
    for (const call of upstream)
      expect(call).toMatchObject({ system: 'crm', credential: 'exchange' });
  });

  it('exchanges the MCP caller’s token too', async () => {
    // Arrange
    const agent = await connectMcp(local, bea);
    try {
      // Act
      const result = await agent.callTool({
        name: 'search_customers',
        arguments: { query: 'C-0000', limit: 50 },
      });
      // Assert
      expect(result.isError).toBeFalsy();
      const ids = JSON.stringify(result.structuredContent);
      expect(ids).toContain('C-00002');
      expect(ids).not.toContain('C-00001');
    } finally {
      await agent.close();
    }
  });

  it('refuses to propose a write to an exchange system, storing nothing, REST and MCP alike', async () => {
    // Arrange: create_order logs the order on the CRM contact, a saga step with no token to exchange
    const anaSales = { sub: 'ana', roles: ['sales'] };
    const input = { customerId: 'C-00001', lines: [{ sku: 'SKU-10001', quantity: 1 }] };
    const before = (await crmCalls(local)).length;
    const agent = await connectMcp(local, anaSales);
    try {
      // Act
      const rest = await local.call('POST', '/tools/create_order', { as: anaSales, body: input });
      const mcp = await agent.callTool({ name: 'create_order', arguments: input });
      // Assert
      expect(rest.status, JSON.stringify(rest.body)).toBe(502);
      expect(rest.body.error.code).toBe('exchange_not_for_writes');
      expect(rest.body.error.message).toContain('crm');
      expect(rest.body.error.message).toContain('nothing was stored');
      expect(mcp.isError).toBe(true);
      expect(mcp.structuredContent).toMatchObject({ error: { code: 'exchange_not_for_writes' } });
      expect((await crmCalls(local)).length).toBe(before);
      const pending = await local.call('GET', '/confirmations?status=pending', { as: anaSales });
      expect(pending.status, JSON.stringify(pending.body)).toBe(200);
      expect(JSON.stringify(pending.body)).not.toContain('create_order');
    } finally {
      await agent.close();
    }
  });

  describe('the local identity provider’s token exchange grant', () => {
    const exchange = async (form: Record<string, string>, clientSecret?: string) => {
      const file = JSON.parse(await readFile(local.secretsFile, 'utf8')) as {
        identity: { 'token-exchange': { clientId: string; clientSecret: string } };
      };
      const client = file.identity['token-exchange'];
      const res = await fetch(`${local.issuer.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${client.clientId}:${clientSecret ?? client.clientSecret}`)}`,
        },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          audience: 'crm',
          ...form,
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it('issues a short-lived token for the CRM with the same subject', async () => {
      // Act
      const res = await exchange({ subject_token: await local.token('ana', ['support']) });
      // Assert
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 300,
      });
      const claims = decodeJwt(String(res.body.access_token));
      expect(claims).toMatchObject({ sub: 'ana', aud: 'crm', iss: local.issuer.issuer });
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
    });

    it('refuses a subject token it did not issue, or one that expired', async () => {
      // Arrange
      const foreign = await local.issuer.issue({
        sub: 'ana',
        roles: ['support'],
        issuer: 'https://elsewhere.example.com',
      });
      const expired = await local.issuer.issue({
        sub: 'ana',
        roles: ['support'],
        issuedAt: Math.floor(Date.now() / 1000) - 7200,
      });
      // Act
      const refusals = await Promise.all([
        exchange({ subject_token: foreign }),
        exchange({ subject_token: expired }),
        exchange({ subject_token: 'not-a-jwt' }),
      ]);
      // Assert
      for (const refused of refusals) {
        expect(refused.status).toBe(400);
        expect(refused.body.error).toBe('invalid_grant');
      }
    });

    it('refuses a client that does not know the secret', async () => {
      // Act
      const res = await exchange(
        { subject_token: await local.token('ana', ['support']) },
        'wrong-secret',
      );
      // Assert
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });
  });
});
