import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { deliverWithDuplicates, eventLog, eventually } from '#test/helpers/webhooks.ts';

// The load run (10,000 deliveries) is in `npm run bench`; this checks the property, not the speed.
describe('webhooks exactly once', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('processes 200 deliveries with 30% duplicates, from concurrent senders, each event exactly once', async () => {
    // Arrange & act: 140 distinct events and 60 redeliveries of some of them, shuffled, 10 senders
    const { events, statuses } = await deliverWithDuplicates(local, {
      distinct: 140,
      duplicates: 60,
      senders: 10,
    });

    // Assert: every distinct event accepted once, every redelivery answered as a duplicate
    expect(Object.fromEntries(statuses)).toEqual({ 202: 140, 200: 60 });
    const ids = events.map((event) => `stripe:${event.id}`);
    const log = await eventually(
      'all 140 events to be processed',
      async () => {
        const entries = await eventLog(local);
        return ids.every((id) => (entries.get(id)?.processedCount ?? 0) > 0) ? entries : undefined;
      },
      60_000,
    );
    expect(ids.map((id) => log.get(id)?.processedCount)).toEqual(ids.map(() => 1));
  }, 120_000);
});
