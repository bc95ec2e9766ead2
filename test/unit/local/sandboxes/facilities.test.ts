import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facilitiesSeed, startFacilitiesSandbox } from '#local/sandboxes/facilities.ts';
import { getSeed } from '#local/sandboxes/seed.ts';
import type { RunningSandbox } from '#local/sandboxes/server.ts';
import { call, credentials } from './support.ts';

describe('facilitiesSeed', () => {
  it('derives each asset from a delivered ERP order line of equipment, at its customer', () => {
    const seed = getSeed();
    const orders = new Map(seed.orders.map((order) => [order.orderNumber, order]));
    const products = new Map(seed.products.map((product) => [product.sku, product]));
    const { assets, workOrders } = facilitiesSeed();
    expect(assets.length).toBeGreaterThan(500);
    for (const asset of assets) {
      const order = orders.get(asset.order_number);
      expect(order?.status, asset.asset_id).toBe('delivered');
      expect(order?.customerNumber).toBe(asset.customer_number);
      const line = order?.lines.find(
        (candidate) => `${candidate.lineNo}` === asset.asset_id.split('-')[2],
      );
      expect(line?.sku).toBe(asset.sku);
      expect(['Warehouse', 'Electronics']).toContain(products.get(asset.sku)?.category);
    }
    const maintained = assets.filter((asset) => asset.status === 'under_maintenance');
    expect(workOrders.map((order) => order.asset_id)).toEqual(
      maintained.map((asset) => asset.asset_id),
    );
  });
});

describe('facilities sandbox', () => {
  let sandbox: RunningSandbox;
  const key = { 'x-api-key': credentials.facilities.apiKey };

  beforeAll(async () => {
    sandbox = await startFacilitiesSandbox({ credentials: credentials.facilities });
  });
  afterAll(() => sandbox.close());

  it('refuses a call without the API key with a problem answer', async () => {
    const res = await call(`${sandbox.url}/v2/assets?customer_number=C-00001`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it("lists a customer's assets newest first, a page at a time", async () => {
    const first = await call(`${sandbox.url}/v2/assets?customer_number=C-00001&per_page=2`, {
      headers: key,
    });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.has_more).toBe(true);
    expect(first.body.data[0].installed_on >= first.body.data[1].installed_on).toBe(true);
    const bad = await call(`${sandbox.url}/v2/assets?customer_number=nobody`, { headers: key });
    expect(bad.status).toBe(400);
  });

  it('answers HEAD like GET without a body', async () => {
    const id = facilitiesSeed().assets[0]?.asset_id;
    const found = await fetch(`${sandbox.url}/v2/assets/${id}`, { method: 'HEAD', headers: key });
    expect(found.status).toBe(200);
    expect(await found.text()).toBe('');
    const missing = await fetch(`${sandbox.url}/v2/assets/AST-999999-1`, {
      method: 'HEAD',
      headers: key,
    });
    expect(missing.status).toBe(404);
  });

  it('creates a work order once per Idempotency-Key and cancels it', async () => {
    const asset = facilitiesSeed().assets.find((candidate) => candidate.status === 'in_service');
    const body = {
      asset_id: asset?.asset_id,
      kind: 'inspection',
      description: 'Yearly safety inspection.',
    };
    const headers = { ...key, 'idempotency-key': 'k-1' };
    const created = await call(`${sandbox.url}/v2/work-orders`, { method: 'POST', headers, body });
    const again = await call(`${sandbox.url}/v2/work-orders`, { method: 'POST', headers, body });
    expect(created.status).toBe(201);
    expect(again.body.work_order_id).toBe(created.body.work_order_id);
    expect(again.headers.get('x-idempotency-lookup')).toBe('hit');
    const cancelled = await fetch(`${sandbox.url}/v2/work-orders/${created.body.work_order_id}`, {
      method: 'DELETE',
      headers: key,
    });
    expect(cancelled.status).toBe(204);
    const listed = await call(`${sandbox.url}/v2/assets/${asset?.asset_id}/work-orders`, {
      headers: key,
    });
    expect(listed.body.data).toEqual([expect.objectContaining({ status: 'cancelled' })]);
  });
});
