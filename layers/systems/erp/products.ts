import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { vendorNumber } from '../../model/time.ts';

const productPage = z.object({
  items: z.array(
    z.object({
      sku: z.string(),
      name: z.string(),
      category: z.string(),
      unit_price: vendorNumber.pipe(z.number()),
      currency: z.string(),
      active: z.boolean(),
    }),
  ),
  next_cursor: z.string().nullable(),
});

/** Upper bound of catalogue entries read in one call. */
const MAX_PRODUCTS = 1000;

/**
 * The ERP's product catalogue, all pages.
 *
 * @example
 * const products = await erpProducts(erp).list('Warehouse');
 */
export function erpProducts(erp: Connector) {
  return {
    async list(category: string | undefined) {
      const items = await erp.paginate({
        operation: 'products.list',
        path: '/api/v1/products',
        query: { category },
        response: productPage,
        items: (page) => page.items,
        limit: MAX_PRODUCTS,
      });
      return items.map((item) => ({
        sku: item.sku,
        name: item.name,
        category: item.category,
        unitPrice: item.unit_price,
        currency: item.currency,
        active: item.active,
      }));
    },
  };
}
