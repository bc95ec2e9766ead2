import * as z from 'zod';
import { stockSchema } from '../../model/order.ts';
import { erpOrders } from '../../systems/erp/orders.ts';
import { connectorOf, defineReadTool } from '../define.ts';

export const checkInventory = defineReadTool({
  name: 'check_inventory',
  title: 'Check inventory',
  description:
    'Checks how many units of one or more products (by SKU, e.g. SKU-10001) are available to sell, in total and per warehouse. Use it before promising a delivery or when the user asks whether something is in stock. SKUs the ERP does not know are listed in unknownSkus.',
  risk: 'read',
  systems: ['erp'],
  input: z.strictObject({
    skus: z
      .array(
        z
          .string()
          .regex(/^SKU-\d{5}$/, 'SKUs look like SKU-10001')
          .describe('A product SKU.'),
      )
      .min(1, 'Give at least one SKU')
      .max(50, 'Ask for at most 50 SKUs per call')
      .describe('Product SKUs to check, e.g. ["SKU-10001", "SKU-10002"] (1-50).'),
  }),
  output: z.object({
    items: z.array(stockSchema).describe('Stock of each known SKU, in the order asked.'),
    unknownSkus: z.array(z.string()).describe('Requested SKUs the ERP does not know.'),
  }),
  async run(ctx, input) {
    return erpOrders(connectorOf(ctx, 'erp')).stock([...new Set(input.skus)]);
  },
});
