import * as z from 'zod';
import { orderIdSchema, orderSchema } from '../../model/order.ts';
import { erpOrders } from '../../systems/erp/orders.ts';
import { connectorOf, defineReadTool } from '../define.ts';

export const getOrderStatus = defineReadTool({
  name: 'get_order_status',
  title: 'Get order status',
  description:
    'Gets one order from the ERP by its order number (SO-100042 style): status (pending, shipped, delivered, cancelled), when it shipped or arrived, carrier and tracking number, and its lines. Use it when the user asks where an order is or what it contained.',
  risk: 'read',
  systems: ['erp'],
  input: z.strictObject({ orderId: orderIdSchema }),
  output: z.object({ order: orderSchema }),
  async run(ctx, input) {
    return { order: await erpOrders(connectorOf(ctx, 'erp')).get(input.orderId) };
  },
});
