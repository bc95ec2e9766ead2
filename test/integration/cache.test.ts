import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installClock, type TestClock } from '#test/helpers/clock.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { sandboxCalls } from '#test/helpers/operations.ts';

const sam = { sub: 'sam', roles: ['sales'] };
const admin = { sub: 'ops', roles: ['admin'] };

describe('cache of reference data', () => {
  let local: LocalHarness;
  let clock: TestClock;

  beforeAll(async () => {
    clock = installClock();
    // Entries stay fresh for 4 s here (the tool says 300 s): two calls in a row stay within it even
    // on a busy machine, and the clock is moved past it to watch expiry.
    local = await startLocalHarness({ CACHE_MAX_TTL_SECONDS: '4' });
  });
  afterEach(() => local.faults('erp', null));
  afterAll(async () => {
    await local.stop();
    clock.restore();
  });

  const catalog = (category: string) =>
    local.call('POST', '/tools/get_product_catalog', { as: sam, body: { category } });

  it('answers a repeated call from the cache without calling the ERP', async () => {
    const first = await catalog('Warehouse');
    const callsAfterFirst = (await sandboxCalls(local.sandboxes.erp, 'products.list')).length;
    const second = await catalog('Warehouse');
    expect(first.status).toBe(200);
    expect(first.body.meta.cache).toBe('miss');
    expect(first.body.data.products.length).toBeGreaterThan(0);
    expect(second.body.meta.cache).toBe('hit');
    expect(second.body.data).toEqual(first.body.data);
    expect((await sandboxCalls(local.sandboxes.erp, 'products.list')).length).toBe(callsAfterFirst);
  });

  it('serves the last known answer, marked degraded, when it expired while the ERP is down', async () => {
    const fresh = await catalog('Safety');
    clock.advance(4_100);
    await local.faults('erp', { down: true });
    const stale = await catalog('Safety');
    expect(stale.status).toBe(200);
    expect(stale.body.data).toEqual(fresh.body.data);
    expect(stale.body.meta.cache).toBe('hit');
    expect(stale.body.meta.degraded).toEqual([
      {
        system: 'erp',
        reason: expect.stringMatching(/^upstream_unavailable; stale data from \d{4}-/),
      },
    ]);
  });

  it('misses everywhere after an admin invalidates the tool', async () => {
    await catalog('Packaging');
    const invalidated = await local.call('POST', '/admin/cache/get_product_catalog/invalidate', {
      as: admin,
    });
    expect(invalidated.status).toBe(200);
    clock.advance(5_100); // no instance answers from a cache generation older than 5 s
    expect((await catalog('Packaging')).body.meta.cache).toBe('miss');
  });

  it('lets only admins invalidate, and only cached tools', async () => {
    expect(
      (await local.call('POST', '/admin/cache/get_product_catalog/invalidate', { as: sam })).status,
    ).toBe(403);
    expect(
      (await local.call('POST', '/admin/cache/get_customer/invalidate', { as: admin })).status,
    ).toBe(404);
  });

  it('says the cache is not involved for tools that are not cached', async () => {
    const res = await local.call('POST', '/tools/get_order_status', {
      as: sam,
      body: { orderId: 'SO-100001' },
    });
    expect(res.body.meta.cache).toBe('none');
  });
});
