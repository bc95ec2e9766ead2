import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { waitForOperation } from '#test/helpers/operations.ts';

const sam = { sub: 'sam', roles: ['sales'] };
const bea = { sub: 'bea', roles: ['approver'] };

interface Line {
  sku: string;
  quantity: number;
}

describe('create_order pricing in local mode', () => {
  let local: LocalHarness;

  /** Proposes an order, has the approver confirm that very proposal, and reads the booked order. */
  async function proposeAndBook(customerId: string, lines: Line[]) {
    const proposal = await local.call('POST', '/tools/create_order', {
      as: sam,
      body: { customerId, lines },
    });
    expect(proposal.status).toBe(202);
    const confirmed = await local.call('POST', `/confirmations/${proposal.body.confirmation.id}`, {
      person: true,
      as: bea,
    });
    const done = await waitForOperation(local, confirmed.body.operation.id, sam, {
      timeoutMs: 30_000,
    });
    expect(done.status).toBe('succeeded');
    const booked = await local.call('POST', '/tools/get_order_status', {
      as: sam,
      body: { orderId: done.result.orderId },
    });
    return {
      summary: proposal.body.confirmation.summary as string,
      previewed: proposal.body.confirmation.preview.changes[0].after,
      order: booked.body.data.order,
    };
  }

  beforeAll(async () => {
    local = await startLocalHarness({}, { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 });
  }, 60_000);
  afterAll(() => local.stop());

  // One customer per price list of the ERP: US customers buy in USD, the others in EUR.
  it.each([
    { customerId: 'C-00002', currency: 'USD' },
    { customerId: 'C-00021', currency: 'EUR' },
  ])(
    'previews the total the ERP books for a $currency customer',
    async ({ customerId, currency }) => {
      // Act
      const { summary, previewed, order } = await proposeAndBook(customerId, [
        { sku: 'SKU-10002', quantity: 3 },
        { sku: 'SKU-10006', quantity: 7 },
      ]);

      // Assert: the amount, the currency and each line's price are the ERP's own
      expect(order.currency).toBe(currency);
      expect(previewed.currency).toBe(currency);
      expect(previewed.total).toBe(order.total);
      const priceOf = (line: { sku: string; unitPrice: number }) => [line.sku, line.unitPrice];
      expect(previewed.lines.map(priceOf)).toEqual(order.lines.map(priceOf));
      expect(summary).toContain(`${order.total.toFixed(2)} ${currency}`);
    },
    60_000,
  );

  it('previews the booked total when a SKU is repeated across lines', async () => {
    // Act
    const { previewed, order } = await proposeAndBook('C-00007', [
      { sku: 'SKU-10003', quantity: 1 },
      { sku: 'SKU-10003', quantity: 2 },
    ]);

    // Assert
    expect(previewed.total).toBe(order.total);
    expect(previewed.currency).toBe(order.currency);
  }, 60_000);
});
