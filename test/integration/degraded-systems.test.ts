import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const admin = { sub: 'root', roles: ['admin'] };

describe('sandbox systems down, slow or misconfigured', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({ UPSTREAM_TIMEOUT_MS: '800' });
  });
  afterEach(async () => {
    await local.faults('crm', null);
    await local.faults('erp', null);
    await local.faults('ticketing', null);
  });
  afterAll(() => local.stop());

  it('answers 502 upstream_auth_failed when the CRM rejects the configured token, then recovers once the secret is fixed', async () => {
    // Arrange: a wrong token in the local secrets file before the first CRM call
    const original = await readFile(local.secretsFile, 'utf8');
    const secrets = JSON.parse(original);
    secrets.systems.crm.token = 'pat-local-wrong';
    await writeFile(local.secretsFile, JSON.stringify(secrets));
    // Act
    const refused = await local.call('POST', '/tools/get_customer', {
      as: admin,
      body: { customerId: 'C-00001' },
    });
    await writeFile(local.secretsFile, original);
    const recovered = await local.call('POST', '/tools/get_customer', {
      as: admin,
      body: { customerId: 'C-00001' },
    });
    // Assert
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatchObject({
      code: 'upstream_auth_failed',
      category: 'configuration',
    });
    expect(JSON.stringify(refused.body)).not.toContain('pat-local');
    expect(recovered.status).toBe(200);
  });

  it('answers 503 upstream_unavailable with Retry-After when the ERP fails', async () => {
    await local.faults('erp', { errorRate: 1, status: 503 });
    const res = await local.call('POST', '/tools/get_order_status', {
      as: admin,
      body: { orderId: 'SO-100001' },
    });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 503 when the ticketing system drops connections', async () => {
    await local.faults('ticketing', { down: true });
    const res = await local.call('POST', '/tools/get_customer_tickets', {
      as: admin,
      body: { customerId: 'C-00001' },
    });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('upstream_unavailable');
  });

  it('answers 504 upstream_timeout when the CRM is slower than the deadline', async () => {
    await local.faults('crm', { latencyMs: 2000 });
    const res = await local.call('POST', '/tools/search_customers', {
      as: admin,
      body: { query: 'north' },
    });
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('upstream_timeout');
  });

  it('fails only the operation a fault is scoped to', async () => {
    await local.faults('erp', { errorRate: 1, status: 502, operation: 'inventory.list' });
    const inventory = await local.call('POST', '/tools/check_inventory', {
      as: admin,
      body: { skus: ['SKU-10001'] },
    });
    const order = await local.call('POST', '/tools/get_order_status', {
      as: admin,
      body: { orderId: 'SO-100001' },
    });
    expect(inventory.status).toBe(503);
    expect(order.status).toBe(200);
  });

  it("never passes the system's own error body through", async () => {
    await local.faults('erp', { errorRate: 1, status: 400 });
    const res = await local.call('POST', '/tools/get_order_status', {
      as: admin,
      body: { orderId: 'SO-100001' },
    });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('upstream_rejected');
    expect(Object.keys(res.body)).toEqual(['error']);
  });
});
