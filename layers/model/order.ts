import * as z from 'zod';
import { customerIdSchema } from './customer.ts';
import { tagFields } from './fields.ts';
import { isoDateTime } from './time.ts';

export const orderStatuses = ['pending', 'shipped', 'delivered', 'cancelled'] as const;
export const orderStatusSchema = z
  .enum(orderStatuses)
  .describe('pending (not shipped yet), shipped (on its way), delivered, or cancelled.');

export const orderIdSchema = z
  .string()
  .regex(/^SO-\d{6}$/, 'Order numbers look like SO-100042')
  .describe('ERP order number, e.g. "SO-100042".');

export const orderLineSchema = z.object(
  tagFields('orderLine', {
    sku: z.string().describe('Product SKU, e.g. "SKU-10001".'),
    description: z.string().describe('Product description on the order line.'),
    quantity: z.number().describe('Ordered quantity.'),
    unitPrice: z.number().describe('Price per unit in the order currency.'),
    amount: z.number().describe('Line total in the order currency.'),
  }),
);

export const orderSchema = z
  .object(
    tagFields('order', {
      id: orderIdSchema,
      customerId: customerIdSchema,
      status: orderStatusSchema,
      orderedAt: isoDateTime().describe('When the order was placed (ISO 8601).'),
      shippedAt: isoDateTime().nullable().describe('When it shipped (ISO 8601); null if not yet.'),
      deliveredAt: isoDateTime()
        .nullable()
        .describe('When it was delivered (ISO 8601); null if not yet.'),
      carrier: z.string().nullable().describe('Carrier; null until shipped.'),
      trackingNumber: z
        .string()
        .nullable()
        .describe('Carrier tracking number; null until shipped.'),
      currency: z.string().describe('ISO 4217 currency code.'),
      total: z.number().describe('Order total in the order currency.'),
      lines: z.array(orderLineSchema).describe('Order lines.'),
    }),
  )
  .describe('An ERP sales order.');
export type Order = z.output<typeof orderSchema>;

export const stockSchema = z
  .object({
    sku: z.string().describe('Product SKU.'),
    available: z.number().describe('Units available to sell across all warehouses.'),
    warehouses: z
      .array(
        z.object({
          warehouse: z.string().describe('Warehouse code, e.g. "WH-BERLIN".'),
          onHand: z.number().describe('Units physically in the warehouse.'),
          reserved: z.number().describe('Units reserved for open orders.'),
          available: z.number().describe('Units available to sell (on hand minus reserved).'),
          updatedAt: isoDateTime().nullable().describe('When the count was last updated.'),
        }),
      )
      .describe('Stock per warehouse.'),
  })
  .describe('Stock of one product.');
export type Stock = z.output<typeof stockSchema>;
