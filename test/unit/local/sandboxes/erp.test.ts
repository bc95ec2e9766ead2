import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startErpSandbox } from '#local/sandboxes/erp.ts';
import { getSeed } from '#local/sandboxes/seed.ts';
import type { RunningSandbox } from '#local/sandboxes/server.ts';
import { basic, call, credentials, erpToken, resetFaults, setFaults } from './support.ts';

const LEGACY_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const MONEY = /^\d+\.\d{2}$/;

const tokenRequest = (url: string, body: string, headers: Record<string, string> = {}) =>
  call(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

describe('startErpSandbox', () => {
  let erp: RunningSandbox;
  let headers: Record<string, string>;
  const seed = getSeed();
  const get = (path: string) => call(`${erp.url}${path}`, { headers });

  beforeAll(async () => {
    erp = await startErpSandbox({ credentials: credentials.erp });
    headers = { authorization: `Bearer ${await erpToken(erp.url)}` };
  });
  afterEach(() => resetFaults(erp.url));
  afterAll(() => erp.close());

  describe('oauth.token', () => {
    it('issues a bearer token for client credentials in the form body', async () => {
      // Act
      const res = await tokenRequest(
        erp.url,
        `grant_type=client_credentials&client_id=${credentials.erp.clientId}&client_secret=${credentials.erp.clientSecret}`,
      );

      // Assert
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(res.body.access_token).toMatch(/^[\w-]{20,}$/);
    });

    it('issues a different token for client credentials in HTTP basic auth', async () => {
      // Act
      const res = await tokenRequest(erp.url, 'grant_type=client_credentials', {
        authorization: basic(credentials.erp.clientId, credentials.erp.clientSecret),
      });

      // Assert
      expect(res.status).toBe(200);
      expect(`Bearer ${res.body.access_token}`).not.toBe(headers.authorization);
      expect(
        (
          await call(`${erp.url}/api/v1/customers/C-00001`, {
            headers: { authorization: `Bearer ${res.body.access_token}` },
          })
        ).status,
      ).toBe(200);
    });

    it('returns 401 invalid_client when the secret is wrong', async () => {
      // Act
      const res = await tokenRequest(erp.url, 'grant_type=client_credentials', {
        authorization: basic(credentials.erp.clientId, 'nope'),
      });

      // Assert
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'invalid_client' });
      expect(typeof res.body.error_description).toBe('string');
    });

    it('returns 400 when the grant type is not client_credentials', async () => {
      // Act
      const res = await tokenRequest(erp.url, 'grant_type=password', {
        authorization: basic(credentials.erp.clientId, credentials.erp.clientSecret),
      });

      // Assert
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('unsupported_grant_type');
    });
  });

  describe('authentication', () => {
    it('returns 401 UNAUTHORIZED when the token was never issued', async () => {
      // Act
      const res = await call(`${erp.url}/api/v1/orders/SO-100001`, {
        headers: { authorization: 'Bearer made-up' },
      });

      // Assert
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    });

    it('returns 401 when the client secret is sent instead of a token', async () => {
      // Act
      const res = await call(`${erp.url}/api/v1/products`, {
        headers: { authorization: basic(credentials.erp.clientId, credentials.erp.clientSecret) },
      });

      // Assert
      expect(res.status).toBe(401);
    });

    it('returns 401 when the token has expired', async () => {
      // Arrange
      const shortLived = await startErpSandbox({
        credentials: credentials.erp,
        tokenTtlSeconds: 0,
      });
      const token = await erpToken(shortLived.url);

      // Act
      const res = await call(`${shortLived.url}/api/v1/customers/C-00001`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await shortLived.close();

      // Assert
      expect(res.status).toBe(401);
    });
  });

  describe('customers.get', () => {
    it('returns the customer with a decimal credit limit and a legacy date', async () => {
      // Act
      const res = await get('/api/v1/customers/C-00007');

      // Assert
      const company = seed.companies[6]!;
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        customer_number: 'C-00007',
        name: company.name,
        currency: company.currency,
        credit_limit: company.creditLimit.toFixed(2),
        payment_terms: company.paymentTerms,
        created_at: expect.stringMatching(LEGACY_DATE),
      });
    });

    it('returns 404 NOT_FOUND when the customer is missing', async () => {
      // Act
      const res = await get('/api/v1/customers/C-99999');

      // Assert
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('orders.list', () => {
    const customer = 'C-00001';
    const seeded = seed.orders.filter((order) => order.customerNumber === customer);

    it('walks every order of the customer newest first, without duplicates', async () => {
      // Arrange
      const orders: { order_number: string; order_date: string }[] = [];
      let cursor: string | null = null;

      // Act
      do {
        const page: any = await get(
          `/api/v1/customers/${customer}/orders?limit=25${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        orders.push(...page.body.items);
        cursor = page.body.next_cursor;
      } while (cursor);

      // Assert
      expect(orders).toHaveLength(seeded.length);
      expect(new Set(orders.map((o) => o.order_number)).size).toBe(seeded.length);
      const dates = orders.map((o) => o.order_date);
      expect(dates).toEqual([...dates].sort().reverse());
    });

    it('returns 20 orders by default', async () => {
      // Act
      const res = await get(`/api/v1/customers/${customer}/orders`);

      // Assert
      expect(res.body.items).toHaveLength(20);
      expect(typeof res.body.next_cursor).toBe('string');
    });

    it('returns only orders in the given status', async () => {
      // Act
      const res = await get(`/api/v1/customers/${customer}/orders?status=cancelled&limit=100`);

      // Assert
      const expected = seeded.filter((order) => order.status === 'cancelled').length;
      expect(expected).toBeGreaterThan(0);
      expect(res.body.items).toHaveLength(expected);
      expect(res.body.items.every((o: any) => o.status === 'cancelled')).toBe(true);
      expect(res.body.next_cursor).toBeNull();
    });

    it('returns 400 BAD_REQUEST naming the status when it is unknown', async () => {
      // Act
      const res = await get(`/api/v1/customers/${customer}/orders?status=lost`);

      // Assert
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      expect(res.body.error.message).toContain('lost');
    });

    it('returns 400 when limit or cursor is invalid', async () => {
      // Act
      const limit = await get(`/api/v1/customers/${customer}/orders?limit=101`);
      const cursor = await get(`/api/v1/customers/${customer}/orders?cursor=nonsense`);

      // Assert
      expect(limit.status).toBe(400);
      expect(cursor.status).toBe(400);
    });

    it('returns 404 when the customer is missing', async () => {
      // Act
      const res = await get('/api/v1/customers/C-99999/orders');

      // Assert
      expect(res.status).toBe(404);
    });
  });

  describe('orders.get', () => {
    it('returns a delivered order with lines that add up to the total', async () => {
      // Arrange
      const seeded = seed.orders.find((order) => order.status === 'delivered')!;

      // Act
      const res = await get(`/api/v1/orders/${seeded.orderNumber}`);

      // Assert
      const order = res.body;
      expect(res.status).toBe(200);
      expect(order).toMatchObject({
        order_number: seeded.orderNumber,
        customer_number: seeded.customerNumber,
        status: 'delivered',
        currency: seeded.currency,
        carrier: seeded.carrier,
        tracking_number: seeded.trackingNumber,
      });
      for (const field of ['order_date', 'shipped_at', 'delivered_at'])
        expect(order[field]).toMatch(LEGACY_DATE);
      expect(order.total_amount).toMatch(MONEY);
      const sum = order.lines.reduce((total: number, line: any) => {
        expect(line.unit_price).toMatch(MONEY);
        expect(line.line_amount).toBe((Number(line.unit_price) * line.quantity).toFixed(2));
        return total + Number(line.line_amount);
      }, 0);
      expect(sum.toFixed(2)).toBe(order.total_amount);
      expect(order.lines[0]).toMatchObject({ line_no: 1, sku: expect.stringMatching(/^SKU-/) });
    });

    it('returns null shipping fields for a pending order', async () => {
      // Arrange
      const seeded = seed.orders.find((order) => order.status === 'pending')!;

      // Act
      const res = await get(`/api/v1/orders/${seeded.orderNumber}`);

      // Assert
      expect(res.body).toMatchObject({
        status: 'pending',
        shipped_at: null,
        delivered_at: null,
        tracking_number: null,
        carrier: null,
      });
    });

    it('returns 404 NOT_FOUND when the order is missing', async () => {
      // Act
      const res = await get('/api/v1/orders/SO-999999');

      // Assert
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('products', () => {
    it('walks all 160 products without duplicates', async () => {
      // Arrange
      const skus: string[] = [];
      let cursor: string | null = null;

      // Act
      do {
        const page: any = await get(
          `/api/v1/products?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
        );
        skus.push(...page.body.items.map((item: { sku: string }) => item.sku));
        cursor = page.body.next_cursor;
      } while (cursor);

      // Assert
      expect(skus).toHaveLength(160);
      expect(new Set(skus).size).toBe(160);
    });

    it('filters products by category', async () => {
      // Act
      const res = await get('/api/v1/products?category=Safety&limit=100');

      // Assert
      const expected = seed.products.filter((p) => p.category === 'Safety').length;
      expect(res.body.items).toHaveLength(expected);
      expect(res.body.items.every((p: any) => p.category === 'Safety')).toBe(true);
    });

    it('returns one product in the ERP shape', async () => {
      // Act
      const res = await get('/api/v1/products/SKU-10001');

      // Assert
      const product = seed.products[0]!;
      expect(res.body).toEqual({
        sku: 'SKU-10001',
        name: product.name,
        category: product.category,
        unit_price: product.unitPrice.toFixed(2),
        currency: 'USD',
        active: product.active,
        unit: 'each',
      });
    });

    it('returns 404 when the product is missing', async () => {
      // Act
      const res = await get('/api/v1/products/SKU-1');

      // Assert
      expect(res.status).toBe(404);
    });
  });

  describe('inventory.list', () => {
    it('returns stock per warehouse for known SKUs and leaves unknown ones out', async () => {
      // Act
      const res = await get('/api/v1/inventory?sku=SKU-10001,SKU-10002,SKU-00000');

      // Assert
      const expected = seed.stock.filter((row) => ['SKU-10001', 'SKU-10002'].includes(row.sku));
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(expected.length);
      for (const item of res.body.items) {
        expect(['SKU-10001', 'SKU-10002']).toContain(item.sku);
        expect(item.available).toBe(item.on_hand - item.reserved);
        expect(item.updated_at).toMatch(LEGACY_DATE);
        expect(item.warehouse).toMatch(/^WH-/);
      }
    });

    it('returns 400 when sku is missing or lists more than 50', async () => {
      // Act
      const missing = await get('/api/v1/inventory');
      const tooMany = await get(
        `/api/v1/inventory?sku=${Array.from({ length: 51 }, (_, i) => `SKU-${10001 + i}`).join(',')}`,
      );

      // Assert
      expect(missing.status).toBe(400);
      expect(missing.body.error.message).toContain('sku');
      expect(tooMany.status).toBe(400);
    });
  });

  describe('prices.list', () => {
    it('prices in USD at the list price and in EUR at the EUR price list, leaving unknown SKUs out', async () => {
      // Act
      const usd = await get('/api/v1/price-lists/USD/prices?sku=SKU-10001,SKU-00000');
      const eur = await get('/api/v1/price-lists/EUR/prices?sku=SKU-10001');

      // Assert
      const listPrice = seed.products[0]!.unitPrice;
      expect(usd.body).toEqual({
        currency: 'USD',
        items: [{ sku: 'SKU-10001', unit_price: listPrice.toFixed(2) }],
      });
      expect(eur.body.currency).toBe('EUR');
      expect(eur.body.items[0].unit_price).toBe((Math.round(listPrice * 92) / 100).toFixed(2));
    });

    it('returns 404 for a currency without a price list and 400 without SKUs', async () => {
      // Act
      const unknown = await get('/api/v1/price-lists/JPY/prices?sku=SKU-10001');
      const missing = await get('/api/v1/price-lists/EUR/prices');

      // Assert
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('NOT_FOUND');
      expect(missing.status).toBe(400);
    });

    it('books an order at the prices of the customer currency price list', async () => {
      // Arrange: C-00021 buys in EUR
      const lines = [{ sku: 'SKU-10002', quantity: 3 }];
      const write = (path: string, body: unknown) =>
        call(`${erp.url}${path}`, { method: 'POST', headers, body });
      const reservation = await write('/api/v1/reservations', {
        customer_number: 'C-00021',
        lines,
      });

      // Act
      const order = await write('/api/v1/orders', {
        customer_number: 'C-00021',
        reservation_id: reservation.body.reservation_id,
        lines,
      });
      const prices = await get('/api/v1/price-lists/EUR/prices?sku=SKU-10002');

      // Assert
      expect(order.body.currency).toBe('EUR');
      expect(order.body.lines[0].unit_price).toBe(prices.body.items[0].unit_price);
      expect(order.body.total_amount).toBe(
        (Number(prices.body.items[0].unit_price) * 3).toFixed(2),
      );
    });
  });

  it('answers injected faults in the ERP error shape', async () => {
    // Arrange
    await setFaults(erp.url, { errorRate: 1, operation: 'inventory.list' });

    // Act
    const faulted = await get('/api/v1/inventory?sku=SKU-10001');
    const other = await get('/api/v1/products/SKU-10001');

    // Assert
    expect(faulted.status).toBe(503);
    expect(faulted.body).toEqual({ error: { code: 'SERVER_ERROR', message: expect.any(String) } });
    expect(other.status).toBe(200);
  });
});
