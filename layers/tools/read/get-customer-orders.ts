import * as z from 'zod';
import { customerIdSchema } from '../../model/customer.ts';
import { orderSchema, orderStatusSchema } from '../../model/order.ts';
import { erpOrders } from '../../systems/erp/orders.ts';
import { connectorOf, defineReadTool } from '../define.ts';

export const getCustomerOrders = defineReadTool({
  name: 'get_customer_orders',
  title: "Get a customer's orders",
  description:
    "Lists a customer's sales orders from the ERP, newest first, with status, dates, tracking and order lines. Use it when the user asks what a customer ordered, what is still pending or what was shipped; filter by status to narrow it. For one order you already know the number of, use get_order_status.",
  risk: 'read',
  systems: ['erp'],
  input: z.strictObject({
    customerId: customerIdSchema,
    limit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('Maximum number of orders to return, newest first (1-100). Default 10.'),
    status: orderStatusSchema.optional().describe('Only orders in this status; omit for all.'),
  }),
  output: z.object({ orders: z.array(orderSchema).describe('Orders, newest first.') }),
  async run(ctx, input) {
    const orders = await erpOrders(connectorOf(ctx, 'erp')).forCustomer(input.customerId, {
      limit: input.limit,
      status: input.status,
    });
    return { orders };
  },
});
