import { erpError } from './erp-writes.ts';
import { PRICE_LISTS, type SeedProduct, unitPriceIn } from './seed.ts';
import type { SandboxRoute } from './server.ts';

/**
 * The ERP's price lists, one per currency: the unit prices an order of a customer in that
 * currency is booked at (`POST /api/v1/orders` prices each line from the same list).
 */
export function erpPriceRoutes(
  products: ReadonlyMap<string, SeedProduct>,
  money: (amount: number) => string,
): SandboxRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/price-lists/{currency}/prices',
      operation: 'prices.list',
      handle: ({ params, query }) => {
        const currency = params.currency ?? '';
        if (!(currency in PRICE_LISTS))
          return erpError(404, 'NOT_FOUND', `Price list ${currency} not found`);
        const skus = (query.get('sku') ?? '').split(',').filter(Boolean);
        if (skus.length === 0 || skus.length > 50)
          return erpError(400, 'BAD_REQUEST', 'sku is required: 1 to 50 comma-separated SKUs');
        const items = skus.flatMap((sku) => {
          const product = products.get(sku);
          return product ? [{ sku, unit_price: money(unitPriceIn(product, currency)) }] : [];
        });
        return { status: 200, body: { currency, items } };
      },
    },
  ];
}
