import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import { AppError } from '#layers/errors/index.ts';
import { Background } from '#layers/resilience/background.ts';
import { SharedCircuitBreaker } from '#layers/resilience/circuit-breaker.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

describe('SharedCircuitBreaker (against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let client: ReturnType<typeof createDocumentClient>;
  let now = 1_000_000;
  const work = new Background();

  beforeAll(async () => {
    db = await startTables();
    client = db.client;
  });
  afterAll(() => db.close());

  /** The shared client, noting the name of each command an instance sends. */
  const countingClient = (sent: string[]) =>
    ({
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return client.send(command as never);
      },
    }) as unknown as typeof client;

  /** A breaker as one function instance has it: own view, shared table, shared clock. */
  const instance = (systemId: string, options: { opened?: string[]; sent?: string[] } = {}) =>
    new SharedCircuitBreaker({
      client: options.sent ? countingClient(options.sent) : client,
      tableName: localTableNames.resilience,
      systemId,
      displayName: `System ${systemId}`,
      policy: { coolDownMs: 30_000, cacheMs: 1_000, maxStaleMs: 10_000 },
      now: () => now,
      onOpen: (id) => options.opened?.push(id),
      background: work,
    });

  it('opens at once on the instance that saw half of at least 10 calls fail, failing fast without a round trip, and writes it before the opening call ends', async () => {
    // Arrange
    const seen: string[] = [];
    const sent: string[] = [];
    const a = instance('erp', { opened: seen, sent });
    await a.beforeCall();
    for (let call = 0; call < 6; call++) await a.afterCall(true);
    for (let call = 0; call < 5; call++) await a.afterCall(false);
    expect(seen).toEqual([]); // 5 of 11 failed: under half
    // Act
    await a.afterCall(false); // 6 of 12
    sent.length = 0;
    const error = await a.beforeCall().catch((caught: unknown) => caught);
    // Assert
    expect(seen).toEqual(['erp']);
    expect(sent).toEqual([]);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(503);
    expect((error as AppError).code).toBe('upstream_unavailable');
    expect((error as AppError).message).toContain('circuit open');
    expect((error as AppError).retryAfterMs).toBe(30_000);
    await expect(instance('erp').beforeCall()).rejects.toThrow(/circuit open/); // a new instance
    await work.settled();
  });

  it('shares an opening: another instance sees it on its first call after its view is a second old', async () => {
    // Arrange: b read "closed" just before a opened the breaker
    const b = instance('crm');
    await b.beforeCall();
    const a = instance('crm');
    for (let call = 0; call < 10; call++) await a.afterCall(false);
    await work.settled();
    // Act and assert: b trusts its view for cacheMs, then answers from it once more while it re-reads
    now += 999;
    await expect(b.beforeCall()).resolves.toBeUndefined();
    now += 1;
    await expect(b.beforeCall()).resolves.toBeUndefined();
    await work.settled();
    await expect(b.beforeCall()).rejects.toThrow(/circuit open/);
  });

  it('waits for a read when its view is older than maxStaleMs', async () => {
    // Arrange: c last read "closed" 10 s before the breaker opened
    const c = instance('mail');
    await c.beforeCall();
    now += 10_000;
    const a = instance('mail');
    for (let call = 0; call < 10; call++) await a.afterCall(false);
    await work.settled();
    // Act and assert: no answer from a view 10 s old
    await expect(c.beforeCall()).rejects.toThrow(/circuit open/);
    expect(work.size).toBe(0);
  });

  it('adds successes to the shared window at most once per cacheMs, in the background', async () => {
    // Arrange
    const sent: string[] = [];
    const a = instance('billing', { sent });
    await a.beforeCall();
    sent.length = 0;
    // Act: 50 successes within a second, then one after it
    for (let call = 0; call < 50; call++) await a.afterCall(true);
    await work.settled();
    const withinSecond = sent.length;
    now += 1_000;
    await a.afterCall(true);
    await work.settled();
    // Assert: one write for the first (with no flush before), one for the rest a second later
    expect(withinSecond).toBe(2); // a new window: the conditional ADD fails, then the SET
    expect(sent.length).toBe(withinSecond + 1);
    expect((await instance('billing').status()).state).toBe('closed');
  });

  it('lets one probe through after the cool-down and closes on its success', async () => {
    // Arrange: the ERP breaker opened in the first test
    const a = instance('erp');
    const b = instance('erp');
    now += 30_000;
    // Act and assert
    await a.beforeCall(); // the probe
    await expect(b.beforeCall()).rejects.toThrow(/circuit open/); // only one probe at a time
    await a.afterCall(true);
    await expect(a.beforeCall()).resolves.toBeUndefined(); // closed here at once
    await expect(instance('erp').beforeCall()).resolves.toBeUndefined(); // and in the table
    await work.settled();
    now += 1_001;
    await expect(b.beforeCall()).resolves.toBeUndefined();
    expect((await instance('erp').status()).state).toBe('closed');
  });

  it('reopens when the probe fails', async () => {
    const a = instance('hr');
    for (let call = 0; call < 10; call++) await a.afterCall(false);
    now += 30_001;
    await a.beforeCall();
    await a.afterCall(false);
    await expect(a.beforeCall()).rejects.toThrow(/circuit open/);
    await work.settled();
    await expect(instance('hr').beforeCall()).rejects.toThrow(/circuit open/);
  });

  it('keeps an opening taken while a read and an outcome flush wait their turn, instead of the closed state they read back', async () => {
    // Arrange: a read of the shared state is held, with a flush of failures queued behind it
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let hold = false;
    const held = {
      send: async (command: { constructor: { name: string } }) => {
        if (hold && command.constructor.name === 'GetCommand') await gate;
        return client.send(command as never);
      },
    } as unknown as typeof client;
    const a = new SharedCircuitBreaker({
      client: held,
      tableName: localTableNames.resilience,
      systemId: 'ticketing-turns',
      displayName: 'Ticketing',
      policy: { coolDownMs: 30_000, cacheMs: 1_000, maxStaleMs: 10_000 },
      now: () => now,
      background: work,
    });
    await a.beforeCall();
    for (let call = 0; call < 4; call++) await a.afterCall(true);
    await work.settled();
    now += 1_500;
    hold = true;
    await a.beforeCall(); // stale view: a background read starts, and is held

    // Act: failures queue a flush behind the read, then open the breaker (its write queued last);
    // two more failures of calls that were under way when it opened are counted for the flush
    for (let call = 0; call < 8; call++) void a.afterCall(false);
    release();
    await work.settled();
    const error = await a.beforeCall().catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toContain('circuit open');
    expect((await a.status()).state).toBe('open');
  });

  it('keeps the systems apart', async () => {
    await expect(instance('ticketing').beforeCall()).resolves.toBeUndefined();
  });
});
