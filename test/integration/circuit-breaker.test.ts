import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installClock, type TestClock } from '#test/helpers/clock.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { sandboxCalls } from '#test/helpers/operations.ts';

const sam = { sub: 'sam', roles: ['sales'] };

describe('shared circuit breaker in local mode', () => {
  let local: LocalHarness;
  let clock: TestClock;

  beforeAll(async () => {
    clock = installClock();
    local = await startLocalHarness({ BREAKER_COOLDOWN_MS: '1500' });
  });
  afterAll(async () => {
    await local.stop();
    clock.restore();
  });

  it('opens after repeated failures, fails fast without calling the system, and closes once it recovers', async () => {
    // Arrange: the ERP fails every call
    await local.faults('erp', { errorRate: 1, status: 503 });
    for (let call = 0; call < 5; call++) {
      await local.call('POST', '/tools/get_order_status', {
        as: sam,
        body: { orderId: 'SO-100001' },
      });
    }
    const callsBefore = (await sandboxCalls(local.sandboxes.erp, 'orders.get')).length;
    // Act: the breaker is open
    const fast = await local.call('POST', '/tools/get_order_status', {
      as: sam,
      body: { orderId: 'SO-100001' },
    });
    const callsAfter = (await sandboxCalls(local.sandboxes.erp, 'orders.get')).length;
    // Assert
    expect(fast.status).toBe(503);
    expect(fast.body.error.code).toBe('upstream_unavailable');
    expect(fast.body.error.message).toContain('circuit open');
    expect(Number(fast.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(callsAfter).toBe(callsBefore);
    // Recovery: after the cool-down a probe goes through and closes the breaker
    await local.faults('erp', null);
    clock.advance(1600);
    const probe = await local.call('POST', '/tools/get_order_status', {
      as: sam,
      body: { orderId: 'SO-100001' },
    });
    const next = await local.call('POST', '/tools/get_order_status', {
      as: sam,
      body: { orderId: 'SO-100001' },
    });
    expect(probe.status).toBe(200);
    expect(next.status).toBe(200);
  });
});
