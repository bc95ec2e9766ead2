import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { NotFoundError } from '../../errors/index.ts';
import { type Order, orderStatuses, type Stock } from '../../model/order.ts';
import { vendorDate, vendorNumber } from '../../model/time.ts';

const requiredNumber = vendorNumber.pipe(z.number());
const requiredDate = vendorDate.pipe(z.string());

const erpOrder = z.object({
  order_number: z.string(),
  customer_number: z.string(),
  status: z.enum(orderStatuses),
  order_date: requiredDate,
  shipped_at: vendorDate,
  delivered_at: vendorDate,
  tracking_number: z.string().nullable().optional(),
  carrier: z.string().nullable().optional(),
  currency: z.string(),
  total_amount: requiredNumber,
  lines: z.array(
    z.object({
      sku: z.string(),
      description: z.string(),
      quantity: requiredNumber,
      unit_price: requiredNumber,
      line_amount: requiredNumber,
    }),
  ),
});
const orderPage = z.object({ items: z.array(erpOrder), next_cursor: z.string().nullable() });
const inventoryResponse = z.object({
  items: z.array(
    z.object({
      sku: z.string(),
      warehouse: z.string(),
      on_hand: requiredNumber,
      reserved: requiredNumber,
      available: requiredNumber,
      updated_at: vendorDate,
    }),
  ),
});

function toOrder(order: z.output<typeof erpOrder>): Order {
  return {
    id: order.order_number,
    customerId: order.customer_number,
    status: order.status,
    orderedAt: order.order_date,
    shippedAt: order.shipped_at,
    deliveredAt: order.delivered_at,
    carrier: order.carrier ?? null,
    trackingNumber: order.tracking_number ?? null,
    currency: order.currency,
    total: order.total_amount,
    lines: order.lines.map((line) => ({
      sku: line.sku,
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unit_price,
      amount: line.line_amount,
    })),
  };
}

/**
 * Orders and stock in the ERP (REST v1, snake_case, `YYYY-MM-DD HH:mm:ss` UTC dates).
 *
 * @example
 * const orders = await erpOrders(ctx.connectors.erp).forCustomer('C-00042', { limit: 10 });
 */
export function erpOrders(erp: Connector) {
  return {
    async forCustomer(
      customerId: string,
      options: { limit: number; status?: (typeof orderStatuses)[number] | undefined },
    ): Promise<Order[]> {
      const orders = await erp.paginate({
        operation: 'orders.list',
        path: `/api/v1/customers/${encodeURIComponent(customerId)}/orders`,
        query: { status: options.status },
        response: orderPage,
        items: (page) => page.items,
        limit: options.limit,
        notFound: () =>
          new NotFoundError(
            'customer_not_found',
            `The ERP has no customer ${customerId}. Use search_customers to find the right customer id.`,
          ),
      });
      return orders.map(toOrder);
    },

    async get(orderId: string): Promise<Order> {
      const order = await erp.request({
        operation: 'orders.get',
        path: `/api/v1/orders/${encodeURIComponent(orderId)}`,
        response: erpOrder,
        notFound: () =>
          new NotFoundError(
            'order_not_found',
            `No order ${orderId} exists in the ERP. Check the number with the user, or list the customer's orders with get_customer_orders.`,
          ),
      });
      return toOrder(order);
    },

    /** Stock per SKU; SKUs the ERP does not know are returned separately. */
    async stock(skus: readonly string[]): Promise<{ items: Stock[]; unknownSkus: string[] }> {
      const response = await erp.request({
        operation: 'inventory.list',
        path: '/api/v1/inventory',
        query: { sku: skus.join(',') },
        response: inventoryResponse,
      });
      const bySku = new Map<string, Stock>();
      for (const row of response.items) {
        const stock = bySku.get(row.sku) ?? { sku: row.sku, available: 0, warehouses: [] };
        stock.available += row.available;
        stock.warehouses.push({
          warehouse: row.warehouse,
          onHand: row.on_hand,
          reserved: row.reserved,
          available: row.available,
          updatedAt: row.updated_at,
        });
        bySku.set(row.sku, stock);
      }
      return {
        items: skus.flatMap((sku) => bySku.get(sku) ?? []),
        unknownSkus: skus.filter((sku) => !bySku.has(sku)),
      };
    },
  };
}
