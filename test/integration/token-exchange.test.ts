import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

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
});
