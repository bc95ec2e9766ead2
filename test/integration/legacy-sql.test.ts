import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSeed } from '#local/sandboxes/seed.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const support = { sub: 'sam', roles: ['support'] };

describe('SQL tools over the legacy logistics database in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it("answers get_shipment_tracking with the ERP order's carrier and tracking number", async () => {
    // Arrange: a delivered order of the ERP sandbox, as the ERP tool sees it.
    const seeded = getSeed().orders.find(
      (order) => order.status === 'delivered' && order.customerNumber === 'C-00007',
    );
    const orderId = seeded?.orderNumber ?? 'missing';
    const erp = await local.call('POST', '/tools/get_order_status', {
      as: support,
      body: { orderId },
    });

    // Act
    const res = await local.call('POST', '/tools/get_shipment_tracking', {
      as: support,
      body: { orderId },
    });

    // Assert
    expect(res.status).toBe(200);
    const { rows, truncated } = res.body.data;
    expect(truncated).toBe(false);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.map((row: { event_seq: number }) => row.event_seq)).toEqual(
      rows.map((_: unknown, index: number) => index + 1),
    );
    expect(rows[0]).toMatchObject({
      carrier: erp.body.data.order.carrier,
      tracking_number: erp.body.data.order.trackingNumber,
      shipment_status: 'delivered',
      event: 'PICKED UP AT WAREHOUSE',
    });
    expect(rows.at(-1)).toMatchObject({ event: 'DELIVERED' });
    expect(res.body.meta).toMatchObject({ cache: 'none', degraded: [] });
  });

  it("answers get_delivery_exceptions with the customer's own orders, newest first", async () => {
    // Arrange
    const own = new Set(
      getSeed()
        .orders.filter((order) => order.customerNumber === 'C-00001')
        .map((order) => order.orderNumber),
    );

    // Act
    const res = await local.call('POST', '/tools/get_delivery_exceptions', {
      as: support,
      body: { customerId: 'C-00001' },
    });

    // Assert
    expect(res.status).toBe(200);
    const rows: { order_id: string; occurred_at: string; reason: string; resolved: boolean }[] =
      res.body.data.rows;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => own.has(row.order_id))).toBe(true);
    const times = rows.map((row) => row.occurred_at);
    expect(times).toEqual([...times].sort().reverse());
    expect(rows[0]?.reason).toMatch(/[a-z]/);
  });

  it('refuses input that is not an order number before anything reaches the database', async () => {
    // Act
    const res = await local.call('POST', '/tools/get_shipment_tracking', {
      as: support,
      body: { orderId: "SO-100042' OR '1'='1" },
    });

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('orderId');
  });
});
