import { timingSafeEqual } from 'node:crypto';
import { seededRandom } from './prng.ts';
import { getSeed, REFERENCE_TIME } from './seed.ts';
import {
  idempotencyKeys,
  intParam,
  isoOf,
  type Reply,
  type RunningSandbox,
  startSandbox,
} from './server.ts';
import { defineSystemSandbox, demoSecret } from './system-sandbox.ts';

const DAY = 86_400_000;
/** Delivered goods of these ERP categories are installed equipment the facilities team services. */
const EQUIPMENT = new Set(['Warehouse', 'Electronics']);
const ASSET_STATUSES = ['in_service', 'under_maintenance', 'retired'] as const;
const KINDS = ['inspection', 'repair', 'replacement'] as const;
const PRIORITIES = ['low', 'normal', 'high'] as const;

export interface SeedAsset {
  asset_id: string;
  customer_number: string;
  order_number: string;
  sku: string;
  product_name: string;
  units: number;
  serial_number: string;
  site: { city: string; country: string };
  status: (typeof ASSET_STATUSES)[number];
  installed_on: string;
  warranty_until: string;
  last_serviced_on: string | null;
}
export interface WorkOrder {
  work_order_id: string;
  asset_id: string;
  kind: (typeof KINDS)[number];
  priority: (typeof PRIORITIES)[number];
  description: string;
  requested_by: string | null;
  status: 'open' | 'scheduled' | 'done' | 'cancelled';
  created_at: string;
  scheduled_for: string | null;
}

const day = (epochMs: number) => isoOf(epochMs).slice(0, 10);

/**
 * The asset register, derived from the ERP's seed: each delivered order line of warehouse or
 * electronics equipment is an asset at the customer's site (`AST-<order digits>-<line>`), so an
 * asset leads back to its order, product and customer in the other sandboxes.
 */
export function facilitiesSeed(): { assets: SeedAsset[]; workOrders: WorkOrder[] } {
  const seed = getSeed();
  const random = seededRandom(20261115);
  const products = new Map(seed.products.map((product) => [product.sku, product]));
  const companies = new Map(seed.companies.map((company) => [company.customerNumber, company]));
  const assets: SeedAsset[] = [];
  const workOrders: WorkOrder[] = [];
  for (const order of seed.orders) {
    if (order.status !== 'delivered' || order.deliveredAt === null) continue;
    const company = companies.get(order.customerNumber);
    for (const line of order.lines) {
      const product = products.get(line.sku);
      if (!product || !EQUIPMENT.has(product.category) || !company) continue;
      const roll = random.next();
      const status = roll < 0.85 ? 'in_service' : roll < 0.95 ? 'under_maintenance' : 'retired';
      const serviced = random.chance(0.6)
        ? day(Math.min(REFERENCE_TIME - DAY, order.deliveredAt + random.int(30, 400) * DAY))
        : null;
      const asset: SeedAsset = {
        asset_id: `AST-${order.orderNumber.slice(3)}-${line.lineNo}`,
        customer_number: order.customerNumber,
        order_number: order.orderNumber,
        sku: line.sku,
        product_name: product.name,
        units: line.quantity,
        serial_number: `SN${line.sku.slice(4)}${String(random.int(100000, 999999))}`,
        site: { city: company.city, country: company.country },
        status,
        installed_on: day(order.deliveredAt),
        warranty_until: day(order.deliveredAt + 730 * DAY),
        last_serviced_on: serviced,
      };
      assets.push(asset);
      if (status === 'under_maintenance')
        workOrders.push({
          work_order_id: `WO-${5001 + workOrders.length}`,
          asset_id: asset.asset_id,
          kind: 'repair',
          priority: random.pick(PRIORITIES),
          description: `Repair of ${product.name} reported by the site.`,
          requested_by: null,
          status: 'scheduled',
          created_at: isoOf(REFERENCE_TIME - random.int(1, 20) * DAY),
          scheduled_for: day(REFERENCE_TIME + random.int(1, 14) * DAY),
        });
    }
  }
  return { assets, workOrders };
}

const problem = (status: number, title: string, detail: string): Reply => ({
  status,
  body: { type: 'about:blank', title, status, detail },
  headers: { 'content-type': 'application/problem+json' },
});

/**
 * The facilities sandbox: an in-house asset register (Facilities API v2, described by
 * `facilities.openapi.yaml` beside it) behind an API key in `X-Api-Key`, with page-number lists,
 * RFC 9457 problem answers, and work orders whose creation honours `Idempotency-Key`.
 */
export function startFacilitiesSandbox(options: {
  port?: number;
  host?: string;
  credentials: { apiKey: string };
}): Promise<RunningSandbox> {
  const { assets, workOrders: seeded } = facilitiesSeed();
  const byId = new Map(assets.map((asset) => [asset.asset_id, asset]));
  const newestFirst = [...assets].reverse();
  // Writes change work orders: each sandbox instance works on its own copy.
  const workOrders = new Map(structuredClone(seeded).map((order) => [order.work_order_id, order]));
  let next = 5001 + seeded.length;
  const idempotent = idempotencyKeys(() =>
    problem(422, 'Idempotency key reused', 'This Idempotency-Key was used with another body.'),
  );
  const expected = Buffer.from(options.credentials.apiKey);
  const notFound = (what: string) => problem(404, 'Not found', `${what} does not exist.`);

  return startSandbox(
    {
      name: 'facilities',
      requestIdHeader: 'x-request-id',
      routes: [
        {
          method: 'GET',
          path: '/v2/assets',
          operation: 'assets.list',
          handle: ({ query }) => {
            const customer = query.get('customer_number');
            if (!customer || !/^C-\d{5}$/.test(customer))
              return problem(400, 'Invalid parameter', 'customer_number must look like C-00001.');
            const status = query.get('status');
            if (status !== null && !(ASSET_STATUSES as readonly string[]).includes(status))
              return problem(400, 'Invalid parameter', `status ${status} is not a known status.`);
            const page = intParam(query, 'page', 1, 10_000);
            const perPage = intParam(query, 'per_page', 25, 100);
            if (typeof page !== 'number')
              return problem(400, 'Invalid parameter', 'page must be an integer from 1.');
            if (typeof perPage !== 'number')
              return problem(
                400,
                'Invalid parameter',
                'per_page must be an integer from 1 to 100.',
              );
            // Newest first: the seed holds them in order of delivery.
            const matching = newestFirst.filter(
              (asset) =>
                asset.customer_number === customer && (status === null || asset.status === status),
            );
            const data = matching.slice((page - 1) * perPage, page * perPage);
            return {
              status: 200,
              body: {
                data,
                page,
                per_page: perPage,
                total: matching.length,
                has_more: page * perPage < matching.length,
              },
            };
          },
        },
        {
          method: 'GET',
          path: '/v2/assets/{asset_id}',
          operation: 'assets.get',
          handle: ({ params }) => {
            const asset = byId.get(params.asset_id ?? '');
            return asset ? { status: 200, body: asset } : notFound(`Asset ${params.asset_id}`);
          },
        },
        {
          method: 'GET',
          path: '/v2/assets/{asset_id}/work-orders',
          operation: 'workOrders.list',
          handle: ({ params }) => {
            if (!byId.has(params.asset_id ?? '')) return notFound(`Asset ${params.asset_id}`);
            const data = [...workOrders.values()].filter(
              (order) => order.asset_id === params.asset_id,
            );
            return { status: 200, body: { data } };
          },
        },
        {
          method: 'POST',
          path: '/v2/work-orders',
          operation: 'workOrders.create',
          handle: (request) =>
            idempotent(request, () => {
              const body = (request.body ?? {}) as Record<string, unknown>;
              const asset = byId.get(String(body.asset_id ?? ''));
              if (!asset) return problem(422, 'Unknown asset', 'asset_id names no asset.');
              if (asset.status === 'retired')
                return problem(409, 'Asset retired', `${asset.asset_id} is retired.`);
              const kind = body.kind as WorkOrder['kind'];
              const description = body.description;
              if (!KINDS.includes(kind) || typeof description !== 'string' || !description.trim())
                return problem(422, 'Invalid work order', 'kind and description are required.');
              const priority = PRIORITIES.includes(body.priority as WorkOrder['priority'])
                ? (body.priority as WorkOrder['priority'])
                : 'normal';
              const order: WorkOrder = {
                work_order_id: `WO-${next++}`,
                asset_id: asset.asset_id,
                kind,
                priority,
                description: description.trim(),
                requested_by: typeof body.requested_by === 'string' ? body.requested_by : null,
                status: 'open',
                created_at: new Date().toISOString(),
                scheduled_for: null,
              };
              workOrders.set(order.work_order_id, order);
              return { status: 201, body: order };
            }),
        },
        {
          method: 'DELETE',
          path: '/v2/work-orders/{work_order_id}',
          operation: 'workOrders.cancel',
          handle: ({ params }) => {
            const order = workOrders.get(params.work_order_id ?? '');
            if (!order) return notFound(`Work order ${params.work_order_id}`);
            if (order.status === 'done')
              return problem(409, 'Work order done', `${order.work_order_id} is already done.`);
            order.status = 'cancelled';
            return { status: 204 };
          },
        },
      ],
      authenticate(headers) {
        const given = Buffer.from(String(headers['x-api-key'] ?? ''));
        if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
        return problem(401, 'Unauthorized', 'A valid X-Api-Key header is required.');
      },
      errorReply: (status, message) =>
        problem(status, status >= 500 ? 'Server error' : 'Request failed', message),
    },
    options,
  );
}

/** The facilities sandbox plays the declared system `facilities` (layers/systems/declared/). */
export const facilitiesSandbox = defineSystemSandbox({
  system: 'facilities',
  label: 'Facilities sandbox (asset register)',
  auth: 'api_key',
  demoCredentials: () => ({ apiKey: `fac-${demoSecret(18)}` }),
  start: startFacilitiesSandbox,
});
