import * as z from 'zod';
import { erpProducts } from '../../systems/erp/products.ts';
import { connectorOf, defineReadTool } from '../define.ts';

export const getProductCatalog = defineReadTool({
  name: 'get_product_catalog',
  title: 'Get the product catalogue',
  description:
    'Lists the products the company sells, with SKU, name, category, list price and whether it can still be ordered; optionally one category only. Use it to find a SKU or a price before checking stock or placing an order. Reference data: answers are cached for 5 minutes.',
  risk: 'read',
  systems: ['erp'],
  cache: { ttlSeconds: 300 },
  input: z.strictObject({
    category: z
      .string()
      .trim()
      .min(2)
      .max(60)
      .optional()
      .describe('Only this category, e.g. "Warehouse"; omit for all.'),
  }),
  output: z.object({
    products: z
      .array(
        z.object({
          sku: z.string().describe('Product SKU, e.g. "SKU-10001".'),
          name: z.string().describe('Product name.'),
          category: z.string().describe('Category.'),
          unitPrice: z.number().describe('List price per unit.'),
          currency: z.string().describe('ISO 4217 currency of the price.'),
          active: z.boolean().describe('Whether it can still be ordered.'),
        }),
      )
      .describe('Products, by SKU.'),
  }),
  async run(ctx, input) {
    return { products: await erpProducts(connectorOf(ctx, 'erp')).list(input.category) };
  },
});
