import { randomBytes, timingSafeEqual } from 'node:crypto';
import { erpPriceRoutes } from './erp-prices.ts';
import { erpError, erpWriteRoutes, type Reservation } from './erp-writes.ts';
import {
  getSeed,
  type OrderStatus,
  type SeedOrder,
  type SeedProduct,
  type SeedStock,
} from './seed.ts';
import { cursor, idempotencyKeys, intParam, type RunningSandbox, startSandbox } from './server.ts';
import { defineSystemSandbox, demoSecret } from './system-sandbox.ts';

const ORDER_STATUSES: readonly OrderStatus[] = ['pending', 'shipped', 'delivered', 'cancelled'];

/** The ERP's legacy timestamp format: `YYYY-MM-DD HH:mm:ss`, UTC, no zone marker. */
const legacy = (epochMs: number | null): string | null =>
  epochMs === null ? null : new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
const money = (amount: number) => amount.toFixed(2);

/** A product as the ERP's API shows it, in a list or alone. */
const productView = (product: SeedProduct) => ({
  sku: product.sku,
  name: product.name,
  category: product.category,
  unit_price: money(product.unitPrice),
  currency: product.currency,
  active: product.active,
  unit: product.unit,
});

function presentOrder(order: SeedOrder) {
  const lines = order.lines.map((line) => ({
    line_no: line.lineNo,
    sku: line.sku,
    description: line.description,
    quantity: line.quantity,
    unit_price: money(line.unitPrice),
    line_amount: money(line.unitPrice * line.quantity),
  }));
  return {
    order_number: order.orderNumber,
    customer_number: order.customerNumber,
    status: order.status,
    order_date: legacy(order.orderedAt),
    shipped_at: legacy(order.shippedAt),
    delivered_at: legacy(order.deliveredAt),
    tracking_number: order.trackingNumber,
    carrier: order.carrier,
    currency: order.currency,
    total_amount: money(order.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0)),
    lines,
  };
}

const equal = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * The ERP sandbox: an in-house REST v1 API (snake_case, legacy dates, decimal strings) for
 * customers, orders, products and inventory, behind OAuth2 client credentials.
 */
export function startErpSandbox(options: {
  port?: number;
  host?: string;
  credentials: { clientId: string; clientSecret: string };
  tokenTtlSeconds?: number;
}): Promise<RunningSandbox> {
  const seed = getSeed();
  // Writes change orders and stock: each sandbox instance works on its own copy of the seed.
  const ownOrders: SeedOrder[] = structuredClone(seed.orders);
  const stock: SeedStock[] = structuredClone(seed.stock);
  const customers = new Map(seed.companies.map((company) => [company.customerNumber, company]));
  const orders = new Map(ownOrders.map((order) => [order.orderNumber, order]));
  const ordersByCustomer = new Map<string, SeedOrder[]>();
  for (const order of [...ownOrders].reverse()) {
    const list = ordersByCustomer.get(order.customerNumber) ?? [];
    list.push(order);
    ordersByCustomer.set(order.customerNumber, list);
  }
  const reservations = new Map<string, Reservation>();
  let nextOrder = ownOrders.length + 100_001;
  const idempotent = idempotencyKeys(() =>
    erpError(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used with a different request body',
    ),
  );
  const products = new Map(seed.products.map((product) => [product.sku, product]));
  const writes = erpWriteRoutes({
    customers,
    orders,
    ordersByCustomer,
    products,
    stock,
    reservations,
    idempotent,
    nextOrderNumber: () => `SO-${nextOrder++}`,
    presentOrder,
    legacy,
  });
  const prices = erpPriceRoutes(products, money);
  const tokens = new Map<string, number>();
  const ttl = options.tokenTtlSeconds ?? 3600;

  const clientFrom = (
    headers: Record<string, string | string[] | undefined>,
    body: Record<string, string>,
  ) => {
    const basic = /^Basic (.+)$/i.exec(String(headers.authorization ?? ''));
    if (basic?.[1]) {
      const [id = '', secret = ''] = Buffer.from(basic[1], 'base64').toString().split(':');
      return { id: decodeURIComponent(id), secret: decodeURIComponent(secret) };
    }
    return { id: body.client_id ?? '', secret: body.client_secret ?? '' };
  };

  return startSandbox(
    {
      name: 'erp',
      requestIdHeader: 'x-request-id',
      routes: [
        ...writes,
        ...prices,
        {
          method: 'POST',
          path: '/oauth/token',
          operation: 'oauth.token',
          authenticated: false,
          handle: ({ headers, body }) => {
            const form = (body ?? {}) as Record<string, string>;
            if (form.grant_type !== 'client_credentials') {
              return {
                status: 400,
                body: {
                  error: form.grant_type ? 'unsupported_grant_type' : 'invalid_request',
                  error_description: 'grant_type must be client_credentials',
                },
              };
            }
            const client = clientFrom(headers, form);
            if (
              !equal(client.id, options.credentials.clientId) ||
              !equal(client.secret, options.credentials.clientSecret)
            ) {
              return {
                status: 401,
                body: {
                  error: 'invalid_client',
                  error_description: 'Client authentication failed',
                },
              };
            }
            const now = Date.now();
            for (const [issued, expires] of tokens) if (expires <= now) tokens.delete(issued);
            const token = randomBytes(24).toString('base64url');
            tokens.set(token, now + ttl * 1000);
            return {
              status: 200,
              body: { access_token: token, token_type: 'Bearer', expires_in: ttl },
            };
          },
        },
        {
          method: 'GET',
          path: '/api/v1/customers/{customer}',
          operation: 'customers.get',
          handle: ({ params }) => {
            const company = customers.get(params.customer ?? '');
            if (!company)
              return erpError(404, 'NOT_FOUND', `Customer ${params.customer} not found`);
            return {
              status: 200,
              body: {
                customer_number: company.customerNumber,
                name: company.name,
                currency: company.currency,
                credit_limit: money(company.creditLimit),
                payment_terms: company.paymentTerms,
                created_at: legacy(company.createdAt),
              },
            };
          },
        },
        {
          method: 'GET',
          path: '/api/v1/customers/{customer}/orders',
          operation: 'orders.list',
          handle: ({ params, query }) => {
            if (!customers.has(params.customer ?? ''))
              return erpError(404, 'NOT_FOUND', `Customer ${params.customer} not found`);
            const status = query.get('status');
            if (status !== null && !ORDER_STATUSES.includes(status as OrderStatus)) {
              return erpError(
                400,
                'BAD_REQUEST',
                `status "${status}" is not one of ${ORDER_STATUSES.join(', ')}`,
              );
            }
            const limit = intParam(query, 'limit', 20, 100);
            if (typeof limit !== 'number')
              return erpError(400, 'BAD_REQUEST', 'limit must be 1-100');
            const offset = cursor.decode(query.get('cursor'));
            if (Number.isNaN(offset)) return erpError(400, 'BAD_REQUEST', 'cursor is invalid');
            const all = (ordersByCustomer.get(params.customer ?? '') ?? []).filter(
              (order) => !status || order.status === status,
            );
            const next = offset + limit < all.length ? cursor.encode(offset + limit) : null;
            return {
              status: 200,
              body: {
                items: all.slice(offset, offset + limit).map(presentOrder),
                next_cursor: next,
              },
            };
          },
        },
        {
          method: 'GET',
          path: '/api/v1/orders/{order}',
          operation: 'orders.get',
          handle: ({ params }) => {
            const order = orders.get(params.order ?? '');
            return order
              ? { status: 200, body: presentOrder(order) }
              : erpError(404, 'NOT_FOUND', `Order ${params.order} not found`);
          },
        },
        {
          method: 'GET',
          path: '/api/v1/products',
          operation: 'products.list',
          handle: ({ query }) => {
            const limit = intParam(query, 'limit', 20, 100);
            if (typeof limit !== 'number')
              return erpError(400, 'BAD_REQUEST', 'limit must be 1-100');
            const offset = cursor.decode(query.get('cursor'));
            if (Number.isNaN(offset)) return erpError(400, 'BAD_REQUEST', 'cursor is invalid');
            const category = query.get('category');
            const all = seed.products.filter(
              (product) => !category || product.category === category,
            );
            const next = offset + limit < all.length ? cursor.encode(offset + limit) : null;
            const items = all.slice(offset, offset + limit).map(productView);
            return { status: 200, body: { items, next_cursor: next } };
          },
        },
        {
          method: 'GET',
          path: '/api/v1/products/{sku}',
          operation: 'products.get',
          handle: ({ params }) => {
            const product = products.get(params.sku ?? '');
            if (!product) return erpError(404, 'NOT_FOUND', `Product ${params.sku} not found`);
            return { status: 200, body: productView(product) };
          },
        },
        {
          method: 'GET',
          path: '/api/v1/inventory',
          operation: 'inventory.list',
          handle: ({ query }) => {
            const skus = (query.get('sku') ?? '').split(',').filter(Boolean);
            if (skus.length === 0 || skus.length > 50)
              return erpError(400, 'BAD_REQUEST', 'sku is required: 1 to 50 comma-separated SKUs');
            const wanted = new Set(skus);
            const items = stock
              .filter((row) => wanted.has(row.sku))
              .map((row) => ({
                sku: row.sku,
                warehouse: row.warehouse,
                on_hand: row.onHand,
                reserved: row.reserved,
                available: row.onHand - row.reserved,
                updated_at: legacy(row.updatedAt),
              }));
            return { status: 200, body: { items } };
          },
        },
      ],
      authenticate(headers) {
        const match = /^Bearer (\S+)$/i.exec(String(headers.authorization ?? ''));
        const expires = match?.[1] ? tokens.get(match[1]) : undefined;
        if (expires !== undefined && expires > Date.now()) return undefined;
        return erpError(401, 'UNAUTHORIZED', 'Missing, unknown or expired access token');
      },
      errorReply: (status, message) =>
        erpError(
          status,
          status === 404
            ? 'NOT_FOUND'
            : status === 429
              ? 'RATE_LIMITED'
              : status >= 500
                ? 'SERVER_ERROR'
                : 'BAD_REQUEST',
          message,
        ),
    },
    options,
  );
}

/** The ERP sandbox plays the registry's `erp`. */
export const erpSandbox = defineSystemSandbox({
  system: 'erp',
  label: 'ERP sandbox (orders, inventory)',
  auth: 'oauth2_client_credentials',
  demoCredentials: () => ({ clientId: 'toolgate-local', clientSecret: demoSecret(24) }),
  start: startErpSandbox,
});
