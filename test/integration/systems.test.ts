import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { eventually } from '#test/helpers/webhooks.ts';

const sam = { sub: 'sam', roles: ['sales'] };
const vic = { sub: 'vic', roles: ['viewer'] };
const admin = { sub: 'ops', roles: ['admin'] };

interface SystemView {
  id: string;
  name: string;
  breaker: { state: string; openedAt?: string; retryAt?: string };
  switch: { enabled: boolean; reason?: string; changedBy?: string; changedAt?: string };
  budget?: { limitPerSecond: number; inUse: number };
  minutes: { at: string; calls: number; errors: number; p50Ms: number; p95Ms: number }[];
  totals: { calls: number; errors: number; errorRate: number; p50Ms: number; p95Ms: number };
  tools: { name: string; risk: string; switch: { enabled: boolean }; cached: boolean }[];
}

describe('GET /systems in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    // A long cool-down keeps an opened breaker open while the test reads it.
    local = await startLocalHarness({ BREAKER_COOLDOWN_MS: '60000', SWITCHES_MAX_STALE_MS: '1' });
  });
  afterAll(async () => {
    await local?.stop();
  });

  const systemsAs = async (as = vic): Promise<SystemView[]> => {
    const response = await local.call('GET', '/systems', { as });
    expect(response.status).toBe(200);
    return response.body.systems;
  };
  const system = async (id: string): Promise<SystemView> => {
    const found = (await systemsAs()).find((candidate) => candidate.id === id);
    if (!found) throw new Error(`no system ${id}`);
    return found;
  };
  /** Polls GET /systems until `id` satisfies `done` (the instances flush their counts in the background). */
  const systemWhen = (id: string, what: string, done: (view: SystemView) => boolean) =>
    eventually(what, async () => {
      const view = await system(id);
      return done(view) ? view : undefined;
    });

  it('lists every system, its tools and the last 15 minutes, zeros included, to any signed-in user', async () => {
    const response = await local.call('GET', '/systems', { as: vic });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const systems: SystemView[] = response.body.systems;
    expect(systems.map((view) => view.id)).toEqual(
      expect.arrayContaining(['crm', 'erp', 'ticketing', 'mail']),
    );
    for (const view of systems) {
      expect(view.minutes, view.id).toHaveLength(15);
      const times = view.minutes.map((minute) => Date.parse(minute.at));
      expect(times, view.id).toEqual([...times].sort((a, b) => a - b));
      expect((times[14] as number) - (times[0] as number), view.id).toBe(14 * 60_000);
    }
    const erp = systems.find((view) => view.id === 'erp') as SystemView;
    expect(erp.tools).toContainEqual({
      name: 'get_product_catalog',
      risk: 'read',
      switch: { enabled: true },
      cached: true,
    });
    expect(erp.tools).toContainEqual(
      expect.objectContaining({ name: 'get_order_status', cached: false }),
    );
    expect(erp.budget).toBeUndefined();
    expect(systems.find((view) => view.id === 'crm')?.budget).toMatchObject({
      limitPerSecond: 10,
    });
    expect((await local.call('GET', '/systems')).status).toBe(401);
  });

  it('shows the calls made through tools once the instance has flushed them', async () => {
    // Arrange: what the ERP showed before
    const before = (await system('erp')).totals.calls;
    // Act: three successful reads of the ERP
    for (let call = 0; call < 3; call++) {
      const answer = await local.call('POST', '/tools/get_order_status', {
        as: sam,
        body: { orderId: 'SO-100001' },
      });
      expect(answer.status).toBe(200);
    }
    // Assert
    const erp = await systemWhen('erp', 'the ERP calls', (view) => view.totals.calls >= before + 3);
    const current = erp.minutes.filter((minute) => minute.calls > 0);
    expect(current.length).toBeGreaterThan(0);
    expect(erp.totals.p50Ms).toBeGreaterThan(0);
    expect(erp.totals.p95Ms).toBeGreaterThanOrEqual(erp.totals.p50Ms);
    expect(erp.totals.errorRate).toBe(0);
    // The CRM's shared budget shows what the calls took from it
    await local.call('POST', '/tools/search_customers', { as: sam, body: { query: 'Northwind' } });
    const crm = await system('crm');
    expect(crm.budget?.inUse).toBeGreaterThan(0);
  });

  it('shows a kill switch of a system and of a tool, with who switched and why', async () => {
    const off = await local.call('PUT', '/admin/switches/system/ticketing', {
      as: admin,
      body: { enabled: false, reason: 'vendor maintenance' },
    });
    expect(off.status).toBe(200);
    await local.call('PUT', '/admin/switches/tool/get_product_catalog', {
      as: admin,
      body: { enabled: false, reason: 'stale prices' },
    });

    const systems = await systemsAs();
    const ticketing = systems.find((view) => view.id === 'ticketing');
    expect(ticketing?.switch).toMatchObject({
      enabled: false,
      reason: 'vendor maintenance',
      changedBy: 'ops',
    });
    expect(Date.parse(ticketing?.switch.changedAt ?? '')).not.toBeNaN();
    const erp = systems.find((view) => view.id === 'erp');
    expect(erp?.switch).toEqual({ enabled: true });
    expect(erp?.tools.find((tool) => tool.name === 'get_product_catalog')?.switch).toMatchObject({
      enabled: false,
      reason: 'stale prices',
    });

    await local.call('PUT', '/admin/switches/system/ticketing', {
      as: admin,
      body: { enabled: true },
    });
    await local.call('PUT', '/admin/switches/tool/get_product_catalog', {
      as: admin,
      body: { enabled: true },
    });
    expect((await system('ticketing')).switch.enabled).toBe(true);
  });

  it('shows the breaker open and the errors counted when the sandbox fails', async () => {
    // Arrange: the ERP fails every call
    const before = (await system('erp')).totals.errors;
    await local.faults('erp', { errorRate: 1, status: 503 });
    try {
      // Act
      for (let call = 0; call < 5; call++) {
        await local.call('POST', '/tools/get_order_status', {
          as: sam,
          body: { orderId: 'SO-100001' },
        });
      }
      // Assert
      const erp = await systemWhen(
        'erp',
        'the ERP errors',
        (view) => view.totals.errors > before && view.breaker.state === 'open',
      );
      expect(Date.parse(erp.breaker.retryAt ?? '') - Date.parse(erp.breaker.openedAt ?? '')).toBe(
        60_000,
      );
      expect(erp.totals.errorRate).toBeGreaterThan(0);
      expect(erp.minutes.some((minute) => minute.errors > 0)).toBe(true);
    } finally {
      await local.faults('erp', null);
    }
  });
});
