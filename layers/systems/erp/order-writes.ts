import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { ConflictError, NotFoundError, UpstreamError } from '../../errors/index.ts';
import { vendorNumber } from '../../model/time.ts';

const customer = z.object({ customer_number: z.string(), name: z.string(), currency: z.string() });
const product = z.object({
  sku: z.string(),
  name: z.string(),
  unit_price: vendorNumber.pipe(z.number()),
  currency: z.string(),
  active: z.boolean(),
});
const reservation = z.object({ reservation_id: z.string(), status: z.string() });
const order = z.object({
  order_number: z.string(),
  status: z.string(),
  total_amount: vendorNumber.pipe(z.number()),
  currency: z.string(),
});

export interface OrderLine {
  sku: string;
  quantity: number;
}

/**
 * Order writes in the ERP: reserve stock, create the order from the reservation, and their
 * compensations (release, cancel). Creates carry `Idempotency-Key`, which the ERP honours.
 *
 * @example
 * const { reservationId } = await erpOrderWrites(erp).reserve('C-00021', lines, 'op_1:reserve_stock');
 */
export function erpOrderWrites(erp: Connector) {
  /** The ERP answers 409 when a business rule refuses a write; say which in the gateway's terms. */
  const refuse = (error: unknown, conflict: () => Error): never => {
    if (error instanceof UpstreamError && error.upstreamStatus === 409) throw conflict();
    throw error;
  };
  return {
    async customer(customerId: string) {
      return erp.request({
        operation: 'customers.get',
        path: `/api/v1/customers/${encodeURIComponent(customerId)}`,
        response: customer,
        notFound: () =>
          new NotFoundError(
            'customer_not_found',
            `The ERP has no customer ${customerId}. Use search_customers to find the right id.`,
          ),
      });
    },

    async product(sku: string) {
      return erp.request({
        operation: 'products.get',
        path: `/api/v1/products/${encodeURIComponent(sku)}`,
        response: product,
        notFound: () =>
          new NotFoundError(
            'product_not_found',
            `The ERP has no product ${sku}. Check the SKU with the user.`,
          ),
      });
    },

    async reserve(
      customerId: string,
      lines: readonly OrderLine[],
      idempotencyKey: string,
    ): Promise<{ reservationId: string }> {
      try {
        const created = await erp.request({
          operation: 'reservations.create',
          method: 'POST',
          path: '/api/v1/reservations',
          headers: { 'idempotency-key': idempotencyKey },
          body: { customer_number: customerId, lines },
          response: reservation,
        });
        return { reservationId: created.reservation_id };
      } catch (error) {
        return refuse(
          error,
          () =>
            new ConflictError(
              'insufficient_stock',
              'The ERP could not reserve the stock: not enough units are available any more.',
            ),
        );
      }
    },

    async release(reservationId: string): Promise<void> {
      await erp
        .request({
          operation: 'reservations.release',
          method: 'DELETE',
          path: `/api/v1/reservations/${encodeURIComponent(reservationId)}`,
          response: z.unknown(),
        })
        .catch((error: unknown) => {
          if (error instanceof NotFoundError) return;
          throw error;
        });
    },

    async create(
      customerId: string,
      reservationId: string,
      lines: readonly OrderLine[],
      reference: string | undefined,
      idempotencyKey: string,
    ): Promise<{ orderId: string; status: string; total: number; currency: string }> {
      const created = await erp.request({
        operation: 'orders.create',
        method: 'POST',
        path: '/api/v1/orders',
        headers: { 'idempotency-key': idempotencyKey },
        body: {
          customer_number: customerId,
          reservation_id: reservationId,
          lines,
          ...(reference ? { reference } : {}),
        },
        response: order,
      });
      return {
        orderId: created.order_number,
        status: created.status,
        total: created.total_amount,
        currency: created.currency,
      };
    },

    async cancel(orderId: string): Promise<void> {
      await erp.request({
        operation: 'orders.cancel',
        method: 'POST',
        path: `/api/v1/orders/${encodeURIComponent(orderId)}/cancel`,
        response: z.unknown(),
      });
    },
  };
}
