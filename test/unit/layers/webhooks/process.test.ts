import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import type { CanonicalEvent } from '#layers/webhooks/events.ts';
import { processEvent } from '#layers/webhooks/process.ts';
import { EventLog } from '#layers/webhooks/stores.ts';
import type { EventSubscriber } from '#layers/webhooks/subscribers.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

const event = (id: string): CanonicalEvent => ({
  id,
  source: 'stripe',
  type: 'customer.updated',
  entity: { system: 'stripe', type: 'customer', id: 'cus_1' },
  occurredAt: '2026-11-23T10:00:00.000Z',
  payload: {},
});

describe('processEvent (event log on dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let client: ReturnType<typeof createDocumentClient>;
  beforeAll(async () => {
    db = await startTables();
    client = db.client;
  });
  afterAll(() => db.close());

  const recording = (fail: () => boolean = () => false) => {
    const seen: string[] = [];
    const subscriber: EventSubscriber = {
      name: 'recording',
      async handle(received) {
        if (fail()) throw new Error('subscriber down');
        seen.push(received.id);
      },
    };
    return { seen, subscriber };
  };

  it('hands an event to the subscribers once, however often it is redelivered', async () => {
    const log = new EventLog({ client, tableName: localTableNames.webhooks });
    const { seen, subscriber } = recording();
    const outcomes = [];
    for (let delivery = 0; delivery < 3; delivery++)
      outcomes.push(await processEvent({ log, subscribers: [subscriber] }, event('evt-a')));
    expect(outcomes).toEqual(['processed', 'duplicate', 'duplicate']);
    expect(seen).toEqual(['evt-a']);
  });

  it('leaves an event whose subscriber failed unprocessed, and processes it when it comes back after the lease', async () => {
    // Arrange: a worker took the event for the default 60 s lease, and its subscriber failed
    let now = Date.parse('2026-11-23T10:00:00.000Z');
    const log = new EventLog({ client, tableName: localTableNames.webhooks, now: () => now });
    let failing = true;
    const { seen, subscriber } = recording(() => failing);
    await expect(processEvent({ log, subscribers: [subscriber] }, event('evt-b'))).rejects.toThrow(
      'subscriber down',
    );
    failing = false;

    // Act: the queue brings it back within the lease, then after it
    now += 59_000;
    const withinLease = await processEvent({ log, subscribers: [subscriber] }, event('evt-b'));
    now += 1_001;
    const afterLease = await processEvent({ log, subscribers: [subscriber] }, event('evt-b'));

    // Assert
    expect(withinLease).toBe('duplicate');
    expect(afterLease).toBe('processed');
    expect(seen).toEqual(['evt-b']);
  });

  it('does not let a second worker take an event another holds', async () => {
    const log = new EventLog({ client, tableName: localTableNames.webhooks });
    expect(await log.begin(event('evt-c'))).toBe(true);
    expect(await log.begin(event('evt-c'))).toBe(false);
  });

  it('refuses a queued message that is not a canonical event', async () => {
    const log = new EventLog({ client, tableName: localTableNames.webhooks });
    await expect(processEvent({ log, subscribers: [] }, { id: 'x' })).rejects.toThrow();
  });
});
