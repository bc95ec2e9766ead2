import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import { CallMetrics, readCallMetrics } from '#layers/resilience/call-metrics.ts';
import { SharedCircuitBreaker } from '#layers/resilience/circuit-breaker.ts';
import { resilienceKeys } from '#layers/resilience/keys.ts';
import { KillSwitches } from '#layers/resilience/kill-switches.ts';
import { SharedRateBudget, UserRateLimit } from '#layers/resilience/rate-budget.ts';
import { ResponseCache } from '#layers/resilience/response-cache.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

/** IAM's StringLike, as the policy evaluation documents it: `*` any run of characters, `?` one. */
const stringLike = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((char) =>
        char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
  ).test(value);

describe('resilienceKeys', () => {
  it("puts every kind's keys under its owner's pattern", () => {
    const { cache, cacheGeneration, breaker, rate, userLimit, prefetchClaim, switches } =
      resilienceKeys;
    const cases: [pattern: string, key: string][] = [
      [cache.pattern('get_product_catalog'), cache.key('get_product_catalog', 3, 'abc')],
      [cacheGeneration.pattern('get_product_catalog'), cacheGeneration.key('get_product_catalog')],
      [breaker.pattern('erp'), breaker.key('erp')],
      [rate.pattern('crm'), rate.key('crm', 1_700_000_000_000)],
      [userLimit.everyOwner(), userLimit.key('ana@example.com', 1_700_000_000_000)],
      [
        prefetchClaim.pattern('get_customer_context'),
        prefetchClaim.key('get_customer_context', 'p:x'),
      ],
      [switches.pattern(), switches.key()],
    ];
    for (const [pattern, key] of cases)
      expect(stringLike(pattern, key), `${pattern} ${key}`).toBe(true);
  });

  it("keeps an owner's pattern off the keys of an owner whose name starts with it", () => {
    const { cache, breaker, rate } = resilienceKeys;

    expect(
      stringLike(cache.pattern('get_customer'), cache.key('get_customer_context', 0, 'x')),
    ).toBe(false);
    expect(stringLike(breaker.pattern('crm'), breaker.key('crm2'))).toBe(false);
    expect(stringLike(rate.pattern('crm'), rate.key('crm2', 0))).toBe(false);
  });

  it("keeps kinds apart: no pattern of one kind matches another kind's key", () => {
    // Owners named like other kinds: the nearest a key of one kind comes to another's pattern.
    const samples: Record<keyof typeof resilienceKeys, string> = {
      switches: resilienceKeys.switches.key(),
      breaker: resilienceKeys.breaker.key('user'),
      rate: resilienceKeys.rate.key('user', 1),
      userLimit: resilienceKeys.userLimit.key('rate', 1),
      cacheGeneration: resilienceKeys.cacheGeneration.key('cache'),
      cache: resilienceKeys.cache.key('cachegen', 1, 'switches'),
      prefetchClaim: resilienceKeys.prefetchClaim.key('switches', 'x'),
      metrics: resilienceKeys.metrics.key('rate', 1),
    };
    const keys = Object.entries(samples).map(([name, key]) => ({ name, key }));
    for (const [name, kind] of Object.entries(resilienceKeys)) {
      const pattern = 'everyOwner' in kind ? kind.everyOwner() : kind.pattern();
      const matched = keys.filter(({ key }) => stringLike(pattern, key)).map((key) => key.name);
      expect(matched, pattern).toEqual([name]);
    }
  });

  it('refuses an owner that would widen a pattern', () => {
    for (const owner of ['get_*', 'erp?', 'erp#1', ''])
      expect(() => resilienceKeys.breaker.pattern(owner), owner).toThrow(/cannot own/);
  });
});

describe('the resilience classes (against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let sent: string[];
  let client: ReturnType<typeof createDocumentClient>;

  beforeAll(async () => {
    db = await startTables();
    sent = [];
    client = {
      send: (command: { input: { Key?: { pk: string }; Item?: { pk: string } } }) => {
        sent.push(String(command.input.Key?.pk ?? command.input.Item?.pk));
        return db.client.send(command as never);
      },
    } as unknown as typeof client;
  });
  afterAll(() => db.close());

  it('write only keys their owner may touch', async () => {
    const tableName = localTableNames.resilience;
    const options = { client, tableName };
    const breaker = new SharedCircuitBreaker({ ...options, systemId: 'erp', displayName: 'ERP' });
    await breaker.beforeCall();
    await breaker.afterCall(false);
    const budget = new SharedRateBudget({
      ...options,
      systemId: 'erp',
      displayName: 'ERP',
      requests: 10,
      perSeconds: 10,
    });
    await budget.acquire(Date.now() + 5_000);
    await budget.observe(429, new Headers({ 'retry-after': '1' }));
    await new UserRateLimit({ ...options, requests: 10, perSeconds: 10 }).admit('ana');
    const cache = new ResponseCache(options);
    await cache.set('get_product_catalog', 'k', { products: [] }, 60);
    await cache.get('get_product_catalog', 'k');
    await cache.invalidate('get_product_catalog');
    const switches = new KillSwitches(options);
    await switches.set({
      kind: 'system',
      name: 'erp',
      enabled: true,
      reason: '',
      changedBy: 'ops',
      changedAt: '2026-12-01T10:00:00.000Z',
    });
    await switches.list();
    const metrics = new CallMetrics({ ...options, schedule: () => {} });
    metrics.record('erp', true, 12);
    await metrics.flush();
    await readCallMetrics(options, 'erp', Date.now() - 15 * 60_000, Date.now());

    const allowed = [
      'metrics#erp#*',
      'breaker#erp',
      'rate#erp#*',
      'user#*',
      'cache#get_product_catalog#*',
      'cachegen#get_product_catalog',
      'switches',
    ];
    expect(sent.length).toBeGreaterThan(8);
    for (const key of sent)
      expect(
        allowed.some((pattern) => stringLike(pattern, key)),
        key,
      ).toBe(true);
  });
});
