import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { proposeAndConfirm, sandboxCalls, waitForOperation } from '#test/helpers/operations.ts';

const sam = { sub: 'sam', roles: ['sales'] };
const bea = { sub: 'bea', roles: ['approver'] };

// Its own local mode: an ERP deadline short enough that a slow ERP times out within the test, and
// no breaker, so the compensation's retries reach the ERP as soon as it is fast again.
describe('a create_order step whose outcome is unknown (the ERP answers after the deadline)', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness(
      { SYSTEM_ERP_TIMEOUT_MS: '400', SYSTEM_ERP_BREAKER: 'off', SYSTEM_ERP_RATE_LIMIT: 'off' },
      { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 },
    );
  });
  afterEach(() => local.faults('erp', null));
  afterAll(() => local.stop());

  const available = async (sku: string): Promise<number> => {
    const res = await local.call('POST', '/tools/check_inventory', {
      as: sam,
      body: { skus: [sku] },
    });
    return res.body.data.items[0].available;
  };
  const ordersOf = async (customerId: string): Promise<{ id: string; status: string }[]> => {
    const res = await local.call('POST', '/tools/get_customer_orders', {
      as: sam,
      body: { customerId, limit: 50 },
    });
    return res.body.data.orders;
  };

  it('undoes the order the ERP booked after the deadline once the retries run out, found through the idempotency key', async () => {
    // Arrange: every order creation answers after the ERP deadline, but is booked
    const stockBefore = await available('SKU-10007');
    const ordersBefore = await ordersOf('C-00031');
    await local.faults('erp', { latencyMs: 700, operation: 'orders.create' });
    // Act
    const { operationId } = await proposeAndConfirm(
      local,
      'create_order',
      { customerId: 'C-00031', lines: [{ sku: 'SKU-10007', quantity: 1 }] },
      sam,
      bea,
    );
    // The saga's tries are over (four, all timed out); the ERP is fast again for the undo
    await waitForOperation(local, operationId, sam, {
      timeoutMs: 60_000,
      until: (operation) =>
        operation.steps[1].attempts >= 4 && operation.steps[1].status === 'outcome_unknown',
    });
    await local.faults('erp', null);
    const done = await waitForOperation(local, operationId, sam, { timeoutMs: 60_000 });
    // Assert
    expect(done.status).toBe('rolled_back');
    expect(done.steps).toMatchObject([
      { name: 'reserve_stock', status: 'compensated' },
      { name: 'create_order', status: 'compensated', attempts: 4 },
      { name: 'log_activity', status: 'pending', attempts: 0 },
    ]);
    const booked = (await sandboxCalls(local.sandboxes.erp, 'orders.create')).filter(
      (call) => call.status === 201,
    );
    // The ERP booked the order during a try that had timed out
    expect(booked.some((call) => call.requestId?.endsWith(':create_order:run'))).toBe(true);
    const created = (await ordersOf('C-00031')).filter(
      (order) => !ordersBefore.some((before) => before.id === order.id),
    );
    // One order, however many tries reached the ERP: the same key on every one; and it is undone
    expect(created).toEqual([expect.objectContaining({ status: 'cancelled' })]);
    expect(await available('SKU-10007')).toBe(stockBefore);
  });
});
