import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import { Background } from '#layers/resilience/background.ts';
import { ResponseCache } from '#layers/resilience/response-cache.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

describe('ResponseCache (against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let client: ReturnType<typeof createDocumentClient>;
  let now = 1_700_000_000_000;
  const work = new Background();

  beforeAll(async () => {
    db = await startTables();
    client = db.client;
  });
  afterAll(() => db.close());

  /** A cache as one function instance has it: own memory, shared table and clock. */
  const instance = (sent: string[] = []) =>
    new ResponseCache({
      client: {
        send: (command: { constructor: { name: string } }) => {
          sent.push(command.constructor.name);
          return client.send(command as never);
        },
      } as unknown as typeof client,
      tableName: localTableNames.resilience,
      now: () => now,
      background: work,
    });

  it('keeps an answer in memory at once and writes it for other instances in the background', async () => {
    // Arrange
    const sent: string[] = [];
    const a = instance(sent);
    // Act
    await a.set('get_product_catalog', 'all', { items: 1 }, 300);
    const pendingWrites = work.size;
    const here = await a.get('get_product_catalog', 'all');
    await work.settled();
    const elsewhere = await instance().get('get_product_catalog', 'all');
    // Assert
    expect(pendingWrites).toBe(1);
    expect(sent).toEqual(['GetCommand', 'PutCommand']); // the generation, then the entry
    expect(here).toMatchObject({ fresh: true, entry: { value: { items: 1 } } });
    expect(elsewhere).toMatchObject({ fresh: true, entry: { value: { items: 1 } } });
  });

  it('sees an invalidation by re-reading the generation in the background after 1 s, and waits for it past 5 s', async () => {
    // Arrange: b has the answer in memory, then a invalidates the tool
    const a = instance();
    const sent: string[] = [];
    const b = instance(sent);
    await a.set('get_price_list', 'all', 'v1', 300);
    await work.settled();
    expect((await b.get('get_price_list', 'all')).entry?.value).toBe('v1');
    await a.invalidate('get_price_list');
    sent.length = 0;

    // Act and assert: within 1 s b answers from its generation without a round trip
    now += 999;
    expect((await b.get('get_price_list', 'all')).entry?.value).toBe('v1');
    expect(sent).toEqual([]);
    // After 1 s: still the old generation, re-read in the background; the next lookup misses
    now += 1;
    expect((await b.get('get_price_list', 'all')).entry?.value).toBe('v1');
    await work.settled();
    expect(sent).toEqual(['GetCommand']);
    expect((await b.get('get_price_list', 'all')).entry).toBeUndefined();
    // Past 5 s since b's last read, an invalidation is seen by the very next lookup
    await b.set('get_price_list', 'all', 'v2', 300);
    await a.invalidate('get_price_list');
    now += 5_000;
    expect((await b.get('get_price_list', 'all')).entry).toBeUndefined();
    await work.settled();
  });
});
