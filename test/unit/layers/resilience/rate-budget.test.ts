import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import { parseRateLimit } from '#layers/config/system-settings.ts';
import { AppError } from '#layers/errors/index.ts';
import { Background } from '#layers/resilience/background.ts';
import { SharedRateBudget, UserRateLimit } from '#layers/resilience/rate-budget.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

describe('SharedRateBudget (against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let client: ReturnType<typeof createDocumentClient>;
  // A window boundary is at every multiple of 10 s; the clock starts 1 s into a window.
  let now = 1_700_000_001_000;
  const slept: number[] = [];

  beforeAll(async () => {
    db = await startTables();
    client = db.client;
  });
  afterAll(() => db.close());

  /** The shared client, noting each command sent (a round trip). */
  const countingClient = (sent: unknown[]) =>
    ({
      send: (command: never) => {
        sent.push(command);
        return client.send(command);
      },
    }) as unknown as typeof client;

  /** The budget as one function instance has it: shared table, shared clock. */
  const instance = (systemId: string, requests = 4) =>
    new SharedRateBudget({
      client,
      tableName: localTableNames.resilience,
      systemId,
      displayName: `System ${systemId}`,
      requests,
      perSeconds: 10,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });

  it('holds the budget across two instances and refuses with 429 and retryAfterMs when the wait passes the deadline', async () => {
    const a = instance('crm-a');
    const b = instance('crm-a');
    await a.acquire(now + 5_000);
    await b.acquire(now + 5_000);
    await a.acquire(now + 5_000);
    await b.acquire(now + 5_000);
    // Four calls used the window: the fifth, from either instance, would have to wait 9 s
    const error = await a.acquire(now + 5_000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(429);
    expect((error as AppError).code).toBe('rate_limited');
    expect((error as AppError).retryAfterMs).toBe(9_000);
    expect((error as AppError).message).toContain('System crm-a');
  });

  it('waits for the next window when that fits the deadline, and says so (the BudgetWaits metric)', async () => {
    now = 1_700_000_108_000; // 8 s into a window
    const waits: [string, number][] = [];
    const a = new SharedRateBudget({
      client,
      tableName: localTableNames.resilience,
      systemId: 'crm-b',
      displayName: 'System crm-b',
      requests: 1,
      perSeconds: 10,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
      onWait: (systemId, waitMs) => waits.push([systemId, waitMs]),
    });
    await a.acquire(now + 5_000);
    expect(waits).toEqual([]);
    slept.length = 0;
    await a.acquire(now + 5_000);
    expect(slept).toEqual([2_000]);
    expect(waits).toEqual([['crm-b', 2_000]]);
  });

  it('spends the window when the system answers 429, and every window its Retry-After covers', async () => {
    now = 1_700_000_201_000;
    const a = instance('crm-c');
    const b = instance('crm-c');
    await a.observe(429, new Headers({ 'retry-after': '15' }));
    const inWindow = await b.acquire(now + 5_000).catch((caught: unknown) => caught);
    expect((inWindow as AppError).statusCode).toBe(429);
    now += 10_000; // the next window is covered by Retry-After too
    const nextWindow = await b.acquire(now + 5_000).catch((caught: unknown) => caught);
    expect((nextWindow as AppError).statusCode).toBe(429);
    now += 10_000; // past Retry-After: calls go again
    await expect(b.acquire(now + 5_000)).resolves.toBeUndefined();
  });

  it('lowers what is left to what X-RateLimit-Remaining or RateLimit-Remaining says, never raises it', async () => {
    now = 1_700_000_301_000;
    const a = instance('crm-d');
    await a.observe(200, new Headers({ 'x-ratelimit-remaining': '1' }));
    await a.observe(200, new Headers({ 'ratelimit-remaining': '3' })); // would raise: ignored
    await a.acquire(now + 5_000);
    const error = await a.acquire(now + 5_000).catch((caught: unknown) => caught);
    expect((error as AppError).statusCode).toBe(429);
  });

  it('ignores answers that say nothing about limits', async () => {
    now = 1_700_000_401_000;
    const a = instance('crm-e', 1);
    await a.observe(200, new Headers());
    await a.observe(503, new Headers({ 'retry-after': '30' }));
    await expect(a.acquire(now + 5_000)).resolves.toBeUndefined();
  });

  it('limits each user across instances, separately from other users, and refuses without a round trip once over', async () => {
    now = 1_700_000_502_000;
    const sent: string[] = [];
    const counting = {
      send: (command: { input: { Key: { pk: string } } }) => {
        sent.push(command.input.Key.pk);
        return client.send(command as never);
      },
    } as unknown as typeof client;
    const users = (c = client) =>
      new UserRateLimit({
        client: c,
        tableName: localTableNames.resilience,
        requests: 2,
        perSeconds: 10,
        now: () => now,
      });
    const a = users(counting);
    const b = users();
    await a.admit('ana');
    await b.admit('ana');
    const refused = await a.admit('ana').catch((caught: unknown) => caught);
    expect((refused as AppError).statusCode).toBe(429);
    expect((refused as AppError).code).toBe('rate_limited');
    expect((refused as AppError).retryAfterMs).toBe(8_000);
    expect((refused as AppError).message).toContain('2 tool calls per 10 s');
    await expect(b.admit('sam')).resolves.toBeUndefined();
    const callsBefore = sent.length;
    await expect(a.admit('ana')).rejects.toMatchObject({ statusCode: 429 });
    expect(sent.length).toBe(callsBefore); // remembered refusal: no round trip
    now += 8_000; // next window
    await expect(a.admit('ana')).resolves.toBeUndefined();
  });

  it('takes a lease of calls per round trip, refills it in the background once half spent, and never grants more than the budget across instances', async () => {
    // Arrange: 12 calls per window, leases of 5; a counts its round trips
    now = 1_700_000_601_000;
    const sent: unknown[] = [];
    const counting = countingClient(sent);
    const work = new Background();
    const budget = (c = client) =>
      new SharedRateBudget({
        client: c,
        tableName: localTableNames.resilience,
        systemId: 'crm-lease',
        displayName: 'CRM',
        requests: 12,
        perSeconds: 10,
        leaseSize: 5,
        now: () => now,
        background: work,
      });
    const a = budget(counting);
    const b = budget();
    const outcome = (instance: SharedRateBudget) =>
      instance.acquire(now + 5_000).then(
        () => 'ok',
        () => 'refused',
      );

    // Act: a makes five calls (the first waits for a lease; the third refills it in the background)
    for (let call = 0; call < 5; call++) await a.acquire(now + 5_000);
    await work.settled();
    const afterFive = sent.length;
    const fromB = [];
    for (let call = 0; call < 10; call++) fromB.push(await outcome(b));
    const fromA = [];
    for (let call = 0; call < 10; call++) fromA.push(await outcome(a));
    await work.settled();

    // Assert: two leases of 5 for a, the 2 left for b, and 12 calls in all
    expect(afterFive).toBe(2);
    expect(fromB.filter((result) => result === 'ok')).toHaveLength(2);
    expect(fromA.filter((result) => result === 'ok')).toHaveLength(5);
    expect(fromA.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('leases a share of a user limit of 40 or more per instance, admitting without waiting and refilling in the background', async () => {
    // Arrange: 40 calls per window → leases of 2; a counts its round trips
    now = 1_700_000_701_000;
    const sent: unknown[] = [];
    const counting = countingClient(sent);
    const work = new Background();
    const users = (c = client) =>
      new UserRateLimit({
        client: c,
        tableName: localTableNames.resilience,
        requests: 40,
        perSeconds: 10,
        now: () => now,
        background: work,
      });
    const a = users(counting);
    const b = users();
    const admitted = async (instance: UserRateLimit, calls: number) => {
      let ok = 0;
      for (let call = 0; call < calls; call++) {
        await instance.admit('lea').then(
          () => ok++,
          () => undefined,
        );
        await work.settled();
      }
      return ok;
    };

    // Act
    await a.admit('lea');
    const awaitedFirst = sent.length;
    const fromA = await admitted(a, 29);
    const tripsForThirty = sent.length;
    const fromB = await admitted(b, 30);
    const restOfA = await admitted(a, 5);

    // Assert: one awaited lease, then one refill per lease in the background; 40 calls in all
    // (b gets what a has not leased; a spends what it holds), never more
    expect(a.leaseSize).toBe(2);
    expect(awaitedFirst).toBe(1);
    expect(fromA).toBe(29);
    expect(tripsForThirty).toBe(16);
    expect(fromB).toBe(8);
    expect(restOfA).toBe(2);
    await expect(a.admit('lea')).rejects.toMatchObject({ statusCode: 429 });
  });

  it('shares one lease among calls of a caller that arrive together, instead of spending the window on leases', async () => {
    // Arrange: 5,000 calls per minute (leases of 50); 300 calls at once from one caller
    now = 1_700_000_760_000;
    const sent: unknown[] = [];
    const users = new UserRateLimit({
      client: countingClient(sent),
      tableName: localTableNames.resilience,
      requests: 5_000,
      perSeconds: 60,
      now: () => now,
      background: new Background(),
    });
    const budget = new SharedRateBudget({
      client: countingClient(sent),
      tableName: localTableNames.resilience,
      systemId: 'crm-together',
      displayName: 'CRM',
      requests: 5_000,
      perSeconds: 60,
      now: () => now,
    });

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 300 }, () => users.admit('many')),
    );
    const userTrips = sent.length;
    const acquired = await Promise.allSettled(
      Array.from({ length: 300 }, () => budget.acquire(now + 5_000)),
    );

    // Assert: every call admitted, with about one round trip per lease of 50, not one per call
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(userTrips).toBeLessThanOrEqual(12);
    expect(acquired.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(sent.length - userTrips).toBeLessThanOrEqual(12);
  });

  it('counts a user limit under 40 per window one call at a time', () => {
    const limit = (requests: number) =>
      new UserRateLimit({
        client,
        tableName: localTableNames.resilience,
        requests,
        perSeconds: 60,
      });
    expect(limit(39).leaseSize).toBe(1);
    expect(limit(300).leaseSize).toBe(15);
    expect(limit(100_000).leaseSize).toBe(50);
  });

  it('reads limits written <requests>/<seconds>, and none for off or nonsense', () => {
    expect(parseRateLimit('100/10')).toEqual({ requests: 100, perSeconds: 10 });
    expect(parseRateLimit(' 5 / 0.5 ')).toEqual({ requests: 5, perSeconds: 0.5 });
    expect(parseRateLimit('off')).toBe('off');
    expect(parseRateLimit('0/10')).toBeUndefined();
    expect(parseRateLimit('ten per second')).toBeUndefined();
    expect(parseRateLimit(undefined)).toBeUndefined();
  });
});
