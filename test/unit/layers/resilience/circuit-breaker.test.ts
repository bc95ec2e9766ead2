import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import { AppError } from '#layers/errors/index.ts';
import { SharedCircuitBreaker } from '#layers/resilience/circuit-breaker.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

describe('SharedCircuitBreaker (against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let client: ReturnType<typeof createDocumentClient>;
  let now = 1_000_000;

  beforeAll(async () => {
    db = await startTables();
    client = db.client;
  });
  afterAll(() => db.close());

  /** A breaker as one function instance has it: own cache, shared table. */
  const instance = (systemId: string, opened: string[] = []) =>
    new SharedCircuitBreaker({
      client,
      tableName: localTableNames.resilience,
      systemId,
      displayName: `System ${systemId}`,
      policy: { coolDownMs: 30_000, cacheMs: 1_000 },
      now: () => now,
      onOpen: (id) => opened.push(id),
    });

  it('opens for every instance when half of at least 10 calls failed, and fails fast with Retry-After', async () => {
    const opened: string[] = [];
    const a = instance('erp', opened);
    const b = instance('erp');
    await b.beforeCall(); // b has read "closed" and caches it
    for (let call = 0; call < 6; call++) await a.afterCall(true);
    for (let call = 0; call < 5; call++) await a.afterCall(false);
    expect(opened).toEqual([]); // 5 of 11 failed: under half
    await a.afterCall(false);
    expect(opened).toEqual(['erp']); // 6 of 12
    now += 1_001; // b's cache expires: it reads the shared state
    const error = await b.beforeCall().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(503);
    expect((error as AppError).code).toBe('upstream_unavailable');
    expect((error as AppError).message).toContain('circuit open');
    expect((error as AppError).retryAfterMs).toBeGreaterThan(28_000);
  });

  it('lets one probe through after the cool-down and closes on its success', async () => {
    const a = instance('erp');
    const b = instance('erp');
    now += 30_000;
    await a.beforeCall(); // the probe
    await expect(b.beforeCall()).rejects.toThrow(/circuit open/); // only one probe at a time
    await a.afterCall(true);
    now += 1_001;
    await expect(b.beforeCall()).resolves.toBeUndefined();
  });

  it('reopens when the probe fails', async () => {
    const a = instance('crm');
    for (let call = 0; call < 10; call++) await a.afterCall(false);
    now += 30_001;
    await a.beforeCall();
    await a.afterCall(false);
    await expect(instance('crm').beforeCall()).rejects.toThrow(/circuit open/);
  });

  it('keeps the systems apart', async () => {
    await expect(instance('ticketing').beforeCall()).resolves.toBeUndefined();
  });
});
