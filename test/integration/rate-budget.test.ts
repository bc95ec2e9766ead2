import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeParts } from '#layers/composition/parts.ts';
import { AppError } from '#layers/errors/index.ts';
import { searchCustomers } from '#layers/tools/read/search-customers.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const ana = { sub: 'ana', roles: ['support'] };

/** Calls the sandbox CRM answered (any operation): what the budget is meant to bound. */
async function crmCalls(local: LocalHarness): Promise<number> {
  const seen = (await (await fetch(`${local.sandboxes.crm}/_sandbox/requests`)).json()) as {
    counts: Record<string, number>;
  };
  return Object.values(seen.counts).reduce((sum, count) => sum + count, 0);
}

describe('outbound rate budget shared by two gateway instances', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    // 3 CRM calls per day: a window this long is not crossed while the test runs.
    local = await startLocalHarness({ SYSTEM_CRM_RATE_LIMIT: '3/86400' });
  });
  afterAll(() => local.stop());

  it('lets the budget through across both instances, then answers 429 with Retry-After without calling the system', async () => {
    // Arrange: a second instance with its own memory, on the same table and sandboxes
    const second = { runner: composeParts(local.functionEnv, 'a second instance').runner() };
    const before = await crmCalls(local);
    const overHttp = () =>
      local.call('POST', '/tools/search_customers', { as: ana, body: { query: 'acme' } });
    const onSecond = () =>
      second.runner
        .run(searchCustomers, { query: 'acme', limit: 5 }, { requestId: 'r-2', caller: ana })
        .then(
          () => 200,
          (error: unknown) => (error instanceof AppError ? error.statusCode : 500),
        );
    // Act
    const first = await overHttp();
    const fromSecond = [await onSecond(), await onSecond()];
    const refused = await overHttp();
    const refusedOnSecond = await onSecond();
    // Assert
    expect(first.status).toBe(200);
    expect(fromSecond).toEqual([200, 200]);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.category).toBe('rate_limited');
    expect(refused.body.error.message).toContain('3 calls per 86400 s');
    expect(refused.body.error.retryAfterMs).toBeGreaterThan(5_000);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(5);
    expect(refusedOnSecond).toBe(429);
    expect((await crmCalls(local)) - before).toBe(3);
  });
});
