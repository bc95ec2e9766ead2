import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import { parseRateLimit } from '#layers/config/system-settings.ts';
import { AppError } from '#layers/errors/index.ts';
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

  it('takes a lease of calls per round trip and never grants more than the budget across instances', async () => {
    now = 1_700_000_601_000;
    let roundTrips = 0;
    const counting = {
      send: (command: never) => {
        roundTrips++;
        return client.send(command);
      },
    } as unknown as typeof client;
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
      });
    const a = budget(counting);
    const b = budget();
    for (let call = 0; call < 5; call++) await a.acquire(now + 5_000);
    expect(roundTrips).toBe(1); // five calls, one lease
    const granted = [];
    for (let call = 0; call < 10; call++)
      granted.push(
        await b.acquire(now + 5_000).then(
          () => 'ok',
          () => 'refused',
        ),
      );
    // b gets the 7 calls left of 12: a full lease of 5, then a partial one of 2
    expect(granted.filter((result) => result === 'ok')).toHaveLength(7);
    await expect(a.acquire(now + 5_000)).rejects.toMatchObject({ statusCode: 429 });
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
