import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import {
  deliver,
  eventLog,
  eventually,
  stripeDelivery,
  webhookSecret,
} from '#test/helpers/webhooks.ts';

describe('webhooks under load', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('processes 10,000 deliveries with 30% duplicates in shuffled order each exactly once, losing none', async () => {
    // Arrange: 7,000 distinct events and 3,000 redeliveries of some of them, shuffled
    const secret = await webhookSecret(local, 'stripe');
    const distinct = Array.from({ length: 7_000 }, (_, index) =>
      stripeDelivery(secret, `evt_load_${index}`),
    );
    const deliveries = [
      ...distinct,
      ...Array.from({ length: 3_000 }, (_, index) => distinct[(index * 7) % distinct.length]),
    ] as ReturnType<typeof stripeDelivery>[];
    for (let index = deliveries.length - 1; index > 0; index--) {
      const other = Math.floor(Math.random() * (index + 1));
      [deliveries[index], deliveries[other]] = [
        deliveries[other] as (typeof deliveries)[number],
        deliveries[index] as (typeof deliveries)[number],
      ];
    }
    // Act: 25 senders at once
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < deliveries.length) {
          const delivery = deliveries[next++] as (typeof deliveries)[number];
          const { status } = await deliver(local, 'stripe', delivery.body, delivery.headers);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    // Assert: every distinct event accepted once, every redelivery answered as a duplicate
    expect(Object.fromEntries(statuses)).toEqual({ 202: 7_000, 200: 3_000 });
    const log = await eventually(
      'all 7,000 events to be processed',
      async () => {
        const entries = await eventLog(local);
        const processed = [...entries.values()].filter((entry) => entry.processedCount > 0);
        return processed.length === 7_000 ? entries : undefined;
      },
      120_000,
    );
    expect(log.size).toBe(7_000);
    expect([...log.values()].every((entry) => entry.processedCount === 1)).toBe(true);
    for (const event of distinct) expect(log.has(`stripe:${event.id}`)).toBe(true);
  }, 300_000);
});
