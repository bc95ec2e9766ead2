import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools } from '#layers/tools/registry.ts';
import { auditRecords } from '#test/helpers/audit.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const admin = { sub: 'root', roles: ['admin'] };

describe('read path in local mode', () => {
  let local: LocalHarness;
  let customerId: string;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('answers GET /health without a token', async () => {
    const res = await local.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('lists only the tools each role may use', async () => {
    const names = async (roles: string[]) =>
      (await local.call('GET', '/tools', { as: { sub: 'u', roles } })).body.tools
        .map((tool: { name: string }) => tool.name)
        .sort();
    expect(await names(['viewer'])).toEqual(['get_customer', 'search_customers']);
    expect(await names(['support'])).toEqual([
      'create_ticket',
      'get_customer',
      'get_customer_context',
      'get_customer_tickets',
      'get_delivery_exceptions',
      'get_order_status',
      'get_shipment_tracking',
      'search_customers',
      'send_email',
      'update_customer_contact',
    ]);
    expect(await names(['sales'])).toEqual([
      'check_inventory',
      'create_order',
      'get_customer',
      'get_customer_context',
      'get_customer_orders',
      'get_order_status',
      'get_product_catalog',
      'search_customers',
      'send_email',
      'update_customer_contact',
    ]);
    expect(await names(['approver'])).toEqual([]);
    expect(await names(['admin'])).toHaveLength(tools.length);
    expect(await names([])).toEqual([]);
  });

  it('describes a tool with JSON Schemas generated from zod', async () => {
    const res = await local.call('GET', '/tools/get_customer_orders', { as: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'get_customer_orders', risk: 'read', systems: ['erp'] });
    expect(res.body.inputSchema.properties.status.enum).toEqual([
      'pending',
      'shipped',
      'delivered',
      'cancelled',
    ]);
    expect(res.body.inputSchema.required).toEqual(['customerId']);
    expect(res.body.inputSchema.additionalProperties).toBe(false);
  });

  it('searches customers in the CRM sandbox', async () => {
    const res = await local.call('POST', '/tools/search_customers', {
      as: admin,
      body: { query: 'C-0000', limit: 5 },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.customers).toHaveLength(5);
    expect(res.body.meta).toMatchObject({ degraded: [], cache: 'none' });
    expect(res.body.meta.requestId).toBe(res.headers.get('x-request-id'));
    customerId = res.body.data.customers[0].id;
    expect(customerId).toMatch(/^C-\d{5}$/);
  });

  it('gets a customer with contacts and ISO 8601 dates', async () => {
    const res = await local.call('POST', '/tools/get_customer', {
      as: admin,
      body: { customerId },
    });
    expect(res.status).toBe(200);
    const customer = res.body.data.customer;
    expect(customer.id).toBe(customerId);
    expect(customer.contacts.length).toBeGreaterThan(0);
    expect(customer.createdAt).toMatch(ISO);
    expect(typeof customer.employees === 'number' || customer.employees === null).toBe(true);
    for (const contact of customer.contacts) expect(contact).toHaveProperty('phone');
  });

  it("lists a customer's orders filtered by status, newest first, converted from the ERP format", async () => {
    const all = await local.call('POST', '/tools/get_customer_orders', {
      as: admin,
      body: { customerId, limit: 50 },
    });
    expect(all.status).toBe(200);
    const orders = all.body.data.orders as {
      id: string;
      status: string;
      orderedAt: string;
      shippedAt: string | null;
      total: number;
    }[];
    expect(orders.length).toBeGreaterThan(0);
    for (const order of orders) {
      expect(order.orderedAt).toMatch(ISO);
      expect(typeof order.total).toBe('number');
      if (order.status === 'pending') expect(order.shippedAt).toBeNull();
    }
    const dates = orders.map((order) => order.orderedAt);
    expect([...dates].sort().reverse()).toEqual(dates);

    const status = orders[0]?.status ?? 'pending';
    const filtered = await local.call('POST', '/tools/get_customer_orders', {
      as: admin,
      body: { customerId, status, limit: 3 },
    });
    expect(filtered.body.data.orders.length).toBeGreaterThan(0);
    expect(filtered.body.data.orders.length).toBeLessThanOrEqual(3);
    for (const order of filtered.body.data.orders) expect(order.status).toBe(status);

    const byDefault = await local.call('POST', '/tools/get_customer_orders', {
      as: admin,
      body: { customerId },
    });
    expect(byDefault.body.data.orders.length).toBeLessThanOrEqual(10);
  });

  it("gets one order's status and checks inventory for its products", async () => {
    const list = await local.call('POST', '/tools/get_customer_orders', {
      as: admin,
      body: { customerId, limit: 1 },
    });
    const orderId = list.body.data.orders[0].id;
    const res = await local.call('POST', '/tools/get_order_status', {
      as: admin,
      body: { orderId },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.order.id).toBe(orderId);
    const skus = res.body.data.order.lines.map((line: { sku: string }) => line.sku);
    expect(skus.length).toBeGreaterThan(0);

    const stock = await local.call('POST', '/tools/check_inventory', {
      as: admin,
      body: { skus: [...skus, 'SKU-99999'] },
    });
    expect(stock.status).toBe(200);
    expect(stock.body.data.unknownSkus).toEqual(['SKU-99999']);
    for (const item of stock.body.data.items) {
      expect(item.warehouses.length).toBeGreaterThan(0);
      expect(item.available).toBe(
        item.warehouses.reduce((sum: number, w: { available: number }) => sum + w.available, 0),
      );
    }
  });

  it("lists a customer's open tickets by default and closed ones on request", async () => {
    const open = await local.call('POST', '/tools/get_customer_tickets', {
      as: admin,
      body: { customerId },
    });
    expect(open.status).toBe(200);
    for (const ticket of open.body.data.tickets) {
      expect(['new', 'open', 'pending', 'hold']).toContain(ticket.status);
      expect(ticket.createdAt).toMatch(ISO);
    }
    const everything = await local.call('POST', '/tools/get_customer_tickets', {
      as: admin,
      body: {
        customerId,
        statuses: ['new', 'open', 'pending', 'hold', 'solved', 'closed'],
        limit: 100,
      },
    });
    expect(everything.body.data.tickets.length).toBeGreaterThanOrEqual(
      open.body.data.tickets.length,
    );
  });

  it('answers 404 customer_not_found for a customer that does not exist', async () => {
    const res = await local.call('POST', '/tools/get_customer', {
      as: admin,
      body: { customerId: 'C-99999' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('customer_not_found');
    expect(res.body.error.message).toContain('search_customers');
  });

  it('writes one audit record per call with who, what, why and outcome', async () => {
    const res = await local.call('POST', '/tools/get_order_status', {
      as: { sub: 'auditor-check', roles: ['sales'] },
      body: { orderId: 'SO-999999' },
      headers: { 'x-agent-reason': 'customer asked where the order is' },
    });
    const requestId = res.headers.get('x-request-id');
    const Items = await auditRecords(local);
    const records = Items.filter((item) => item.requestId === requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      sub: 'auditor-check',
      tool: 'get_order_status',
      reason: 'customer asked where the order is',
      outcome: 'error',
      statusCode: 404,
      errorCode: 'order_not_found',
      input: JSON.stringify({ orderId: 'SO-999999' }),
    });
    expect(typeof records[0]?.durationMs).toBe('number');
  });

  it("keeps the caller's X-Request-Id and sends it upstream", async () => {
    const res = await local.call('POST', '/tools/search_customers', {
      as: admin,
      body: { query: 'C-00001' },
      headers: { 'x-request-id': 'trace-abc-12345' },
    });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-12345');
    expect(res.body.meta.requestId).toBe('trace-abc-12345');
    const seen = (await (await fetch(`${local.sandboxes.crm}/_sandbox/requests`)).json()) as {
      requests: { operation: string; requestId: string | null }[];
    };
    expect(
      seen.requests
        .filter((call) => call.requestId === 'trace-abc-12345')
        .map((call) => call.operation),
    ).toEqual(['companies.search']);
  });
});
