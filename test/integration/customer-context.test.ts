import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const ana = { sub: 'ana', roles: ['support'] };

describe('get_customer_context: parallel reads that degrade', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({ UPSTREAM_TIMEOUT_MS: '1000' });
  });
  afterEach(async () => {
    await local.faults('erp', null);
    await local.faults('ticketing', null);
  });
  afterAll(() => local.stop());

  it('returns profile, recent orders and open tickets when every system answers', async () => {
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-00021', ordersLimit: 3 },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.customer.id).toBe('C-00021');
    expect(res.body.data.recentOrders).toHaveLength(3);
    expect(Array.isArray(res.body.data.openTickets)).toBe(true);
    expect(res.body.data.note).toBeNull();
    expect(res.body.meta.degraded).toEqual([]);
  });

  it('answers with what it has, meta.degraded and a note, when the ERP is down', async () => {
    await local.faults('erp', { down: true });
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-00021' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.customer.name).toBe('Northwind Traders');
    expect(res.body.data.recentOrders).toBeNull();
    expect(res.body.meta.degraded).toEqual([{ system: 'erp', reason: 'upstream_unavailable' }]);
    expect(res.body.data.note).toBe(
      'The account details and open support tickets are here, but recent orders are unavailable right now; try again in a minute for the rest.',
    );
  });

  it('degrades a slow system by its deadline instead of waiting for it', async () => {
    await local.faults('ticketing', { latencyMs: 3000 });
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-00021' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.openTickets).toBeNull();
    expect(res.body.meta.degraded).toEqual([{ system: 'ticketing', reason: 'upstream_timeout' }]);
  });

  it('answers 404 for an unknown customer rather than degrading', async () => {
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-99999' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('customer_not_found');
  });
});
