import {
  PRICE_LISTS,
  type SeedCompany,
  type SeedOrder,
  type SeedProduct,
  type SeedStock,
  unitPriceIn,
} from './seed.ts';
import type { Reply, SandboxRequest, SandboxRoute } from './server.ts';

export const erpError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});

export interface Reservation {
  id: string;
  customerNumber: string;
  status: 'active' | 'released' | 'consumed';
  lines: { sku: string; quantity: number; warehouse: string }[];
  createdAt: number;
}

interface ErpState {
  customers: ReadonlyMap<string, SeedCompany>;
  orders: Map<string, SeedOrder>;
  ordersByCustomer: Map<string, SeedOrder[]>;
  products: ReadonlyMap<string, SeedProduct>;
  stock: SeedStock[];
  reservations: Map<string, Reservation>;
  idempotent: (request: SandboxRequest, produce: () => Reply | Promise<Reply>) => Promise<Reply>;
  nextOrderNumber: () => string;
  presentOrder: (order: SeedOrder) => unknown;
  legacy: (epochMs: number | null) => string | null;
}

const linesOf = (body: unknown): { sku: string; quantity: number }[] | undefined => {
  const lines = (body as { lines?: unknown })?.lines;
  if (!Array.isArray(lines) || lines.length === 0) return undefined;
  const valid = lines.every(
    (line) =>
      typeof line?.sku === 'string' && Number.isInteger(line?.quantity) && line.quantity > 0,
  );
  return valid ? (lines as { sku: string; quantity: number }[]) : undefined;
};

/**
 * The ERP's write routes: stock reservations, orders from reservations, cancellation. Creates
 * honour `Idempotency-Key`.
 */
export function erpWriteRoutes(state: ErpState): SandboxRoute[] {
  const available = (sku: string) =>
    state.stock
      .filter((row) => row.sku === sku)
      .reduce((sum, row) => sum + row.onHand - row.reserved, 0);
  const release = (reservation: Reservation) => {
    for (const line of reservation.lines) {
      const row = state.stock.find(
        (candidate) => candidate.sku === line.sku && candidate.warehouse === line.warehouse,
      );
      if (row) row.reserved = Math.max(0, row.reserved - line.quantity);
    }
  };
  const presentReservation = (reservation: Reservation) => ({
    reservation_id: reservation.id,
    customer_number: reservation.customerNumber,
    status: reservation.status,
    lines: reservation.lines,
    created_at: state.legacy(reservation.createdAt),
  });

  return [
    {
      method: 'POST',
      path: '/api/v1/reservations',
      operation: 'reservations.create',
      handle: (request) =>
        state.idempotent(request, () => {
          const body = request.body as { customer_number?: string };
          const lines = linesOf(request.body);
          if (!body?.customer_number || !lines) {
            return erpError(
              400,
              'BAD_REQUEST',
              'customer_number and lines [{sku, quantity}] are required',
            );
          }
          if (!state.customers.has(body.customer_number)) {
            return erpError(404, 'NOT_FOUND', `Customer ${body.customer_number} not found`);
          }
          const unknown = lines
            .filter((line) => !state.products.has(line.sku))
            .map((line) => line.sku);
          if (unknown.length > 0)
            return erpError(422, 'UNKNOWN_SKU', `Unknown SKU ${unknown.join(', ')}`);
          const short = lines.filter((line) => available(line.sku) < line.quantity);
          if (short.length > 0) {
            return erpError(
              409,
              'INSUFFICIENT_STOCK',
              short
                .map(
                  (line) =>
                    `${line.sku}: available ${available(line.sku)}, requested ${line.quantity}`,
                )
                .join('; '),
            );
          }
          const reserved: Reservation['lines'] = [];
          for (const line of lines) {
            let remaining = line.quantity;
            const rows = state.stock
              .filter((row) => row.sku === line.sku)
              .sort((a, b) => b.onHand - b.reserved - (a.onHand - a.reserved));
            for (const row of rows) {
              if (remaining === 0) break;
              const take = Math.min(remaining, row.onHand - row.reserved);
              if (take <= 0) continue;
              row.reserved += take;
              remaining -= take;
              reserved.push({ sku: line.sku, quantity: take, warehouse: row.warehouse });
            }
          }
          const reservation: Reservation = {
            id: `RSV-${String(state.reservations.size + 1).padStart(6, '0')}`,
            customerNumber: body.customer_number,
            status: 'active',
            lines: reserved,
            createdAt: Date.now(),
          };
          state.reservations.set(reservation.id, reservation);
          return { status: 201, body: presentReservation(reservation) };
        }),
    },
    {
      method: 'DELETE',
      path: '/api/v1/reservations/{id}',
      operation: 'reservations.release',
      handle: ({ params }) => {
        const reservation = state.reservations.get(params.id ?? '');
        if (!reservation) return erpError(404, 'NOT_FOUND', `Reservation ${params.id} not found`);
        if (reservation.status === 'active') {
          release(reservation);
          reservation.status = 'released';
        }
        return { status: 200, body: presentReservation(reservation) };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/orders',
      operation: 'orders.create',
      handle: (request) =>
        state.idempotent(request, () => {
          const body = request.body as {
            customer_number?: string;
            reservation_id?: string;
            reference?: string;
          };
          const lines = linesOf(request.body);
          if (!body?.customer_number || !body.reservation_id || !lines) {
            return erpError(
              400,
              'BAD_REQUEST',
              'customer_number, reservation_id and lines are required',
            );
          }
          const reservation = state.reservations.get(body.reservation_id);
          if (
            reservation?.status !== 'active' ||
            reservation.customerNumber !== body.customer_number
          ) {
            return erpError(
              409,
              'RESERVATION_NOT_ACTIVE',
              `Reservation ${body.reservation_id} is not active for ${body.customer_number}`,
            );
          }
          const currency = state.customers.get(body.customer_number)?.currency ?? 'USD';
          if (!(currency in PRICE_LISTS)) {
            return erpError(409, 'NO_PRICE_LIST', `No ${currency} price list to price the order`);
          }
          const order: SeedOrder = {
            orderNumber: state.nextOrderNumber(),
            customerNumber: body.customer_number,
            status: 'pending',
            orderedAt: Date.now(),
            shippedAt: null,
            deliveredAt: null,
            carrier: null,
            trackingNumber: null,
            currency,
            lines: lines.map((line, index) => {
              const product = state.products.get(line.sku);
              return {
                lineNo: index + 1,
                sku: line.sku,
                description: product?.name ?? line.sku,
                quantity: line.quantity,
                unitPrice: product ? unitPriceIn(product, currency) : 0,
              };
            }),
          };
          // The order takes over the reserved units: they leave stock for good.
          for (const line of reservation.lines) {
            const row = state.stock.find(
              (candidate) => candidate.sku === line.sku && candidate.warehouse === line.warehouse,
            );
            if (row) {
              row.reserved = Math.max(0, row.reserved - line.quantity);
              row.onHand = Math.max(0, row.onHand - line.quantity);
            }
          }
          reservation.status = 'consumed';
          state.orders.set(order.orderNumber, order);
          state.ordersByCustomer.set(order.customerNumber, [
            order,
            ...(state.ordersByCustomer.get(order.customerNumber) ?? []),
          ]);
          return { status: 201, body: state.presentOrder(order) };
        }),
    },
    {
      method: 'POST',
      path: '/api/v1/orders/{order}/cancel',
      operation: 'orders.cancel',
      handle: ({ params }) => {
        const order = state.orders.get(params.order ?? '');
        if (!order) return erpError(404, 'NOT_FOUND', `Order ${params.order} not found`);
        if (order.status === 'shipped' || order.status === 'delivered') {
          return erpError(
            409,
            'ORDER_NOT_CANCELLABLE',
            `Order ${order.orderNumber} is ${order.status}`,
          );
        }
        if (order.status !== 'cancelled') {
          order.status = 'cancelled';
          // Cancelling returns the units to stock.
          for (const line of order.lines) {
            const row = state.stock.find((candidate) => candidate.sku === line.sku);
            if (row) row.onHand += line.quantity;
          }
        }
        return { status: 200, body: state.presentOrder(order) };
      },
    },
  ];
}
