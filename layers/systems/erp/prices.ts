import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { ConflictError } from '../../errors/index.ts';
import { vendorNumber } from '../../model/time.ts';

const priceList = z.object({
  currency: z.string(),
  items: z.array(z.object({ sku: z.string(), unit_price: vendorNumber.pipe(z.number()) })),
});

export interface PricedLine {
  sku: string;
  quantity: number;
  /** Unit price in the order's currency, from that currency's price list. */
  unitPrice: number;
  amount: number;
}

/** What the ERP will book for an order: each line and the total, in the order's currency. */
export interface OrderQuote {
  currency: string;
  lines: PricedLine[];
  total: number;
}

/** Money is added in whole cents, so the total is exact and equals the ERP's decimal total. */
const cents = (amount: number) => Math.round(amount * 100);

/**
 * Prices an order the way the ERP books it: each line at the unit price of the price list in the
 * customer's currency (not the product's list price, which is in USD), summed to the cent.
 *
 * @example
 * const quote = await erpPrices(erp).quote('EUR', [{ sku: 'SKU-10002', quantity: 3 }]);
 * quote.total; // 1750.52, in quote.currency
 */
export function erpPrices(erp: Connector) {
  return {
    async quote(
      currency: string,
      lines: readonly { sku: string; quantity: number }[],
    ): Promise<OrderQuote> {
      const list = await erp.request({
        operation: 'prices.list',
        path: `/api/v1/price-lists/${encodeURIComponent(currency)}/prices`,
        query: { sku: [...new Set(lines.map((line) => line.sku))].join(',') },
        response: priceList,
        notFound: () =>
          new ConflictError(
            'price_list_missing',
            `The ERP has no ${currency} price list, so it cannot price this customer's order. Ask the ERP team to set one up.`,
          ),
      });
      const unitCents = new Map(list.items.map((item) => [item.sku, cents(item.unit_price)]));
      const unpriced = lines.filter((line) => !unitCents.has(line.sku)).map((line) => line.sku);
      if (unpriced.length > 0) {
        throw new ConflictError(
          'product_not_priced',
          `${unpriced.join(', ')} has no price in the ERP's ${currency} price list and cannot be ordered in ${currency}.`,
        );
      }
      const priced = lines.map((line) => {
        const unit = unitCents.get(line.sku) ?? 0;
        return { line, unit, amount: unit * line.quantity };
      });
      return {
        currency: list.currency,
        lines: priced.map(({ line, unit, amount }) => ({
          sku: line.sku,
          quantity: line.quantity,
          unitPrice: unit / 100,
          amount: amount / 100,
        })),
        total: priced.reduce((sum, { amount }) => sum + amount, 0) / 100,
      };
    },
  };
}
