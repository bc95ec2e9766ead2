import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords } from '#test/helpers/audit.ts';
import { installClock, type TestClock } from '#test/helpers/clock.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { readme } from '#test/helpers/readme.ts';

const admin = { sub: 'ops', roles: ['admin'] };
const ana = { sub: 'ana', roles: ['support'] };

describe('kill switch', () => {
  let local: LocalHarness;
  let clock: TestClock;

  beforeAll(async () => {
    clock = installClock();
    local = await startLocalHarness({ SWITCHES_MAX_STALE_MS: '60000' });
  });
  afterAll(async () => {
    await local.stop();
    clock.restore();
  });

  /** Lets every function's cached copy of the switches (a minute here) run out. */
  const outlastSwitchesCache = () => clock.advance(60_001);

  it('lets only admins switch, and refuses an unknown system or a missing reason', async () => {
    expect(
      (
        await local.call('PUT', '/admin/switches/system/crm', {
          as: ana,
          body: { enabled: false, reason: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await local.call('PUT', '/admin/switches/system/nope', {
          as: admin,
          body: { enabled: false, reason: 'test' },
        })
      ).status,
    ).toBe(404);
    const noReason = await local.call('PUT', '/admin/switches/system/crm', {
      as: admin,
      body: { enabled: false },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.issues[0].path).toBe('reason');
  });

  it('switches a system off for every tool that uses it, and back on, with an audit record each time', async () => {
    const off = await local.call('PUT', '/admin/switches/system/ticketing', {
      as: admin,
      body: { enabled: false, reason: 'vendor maintenance' },
      headers: { 'x-agent-reason': 'ops runbook 7' },
    });
    expect(off.status).toBe(200);
    outlastSwitchesCache();
    const blocked = await local.call('POST', '/tools/get_customer_tickets', {
      as: ana,
      body: { customerId: 'C-00021' },
    });
    expect(blocked.status).toBe(503);
    expect(blocked.body.error.message).toContain(
      'switched off by an administrator (vendor maintenance)',
    );
    const proposal = await local.call('POST', '/tools/create_ticket', {
      as: ana,
      body: {
        customerId: 'C-00021',
        subject: 'During maintenance',
        description: 'Should not be proposed while off.',
      },
    });
    expect(proposal.status).toBe(503);
    const unaffected = await local.call('POST', '/tools/get_customer', {
      as: ana,
      body: { customerId: 'C-00021' },
    });
    expect(unaffected.status).toBe(200);
    const listed = await local.call('GET', '/admin/switches', { as: admin });
    expect(listed.body.switches).toEqual([
      expect.objectContaining({
        kind: 'system',
        name: 'ticketing',
        enabled: false,
        by: 'ops',
      }),
    ]);

    await local.call('PUT', '/admin/switches/system/ticketing', {
      as: admin,
      body: { enabled: true },
    });
    outlastSwitchesCache();
    expect(
      (
        await local.call('POST', '/tools/get_customer_tickets', {
          as: ana,
          body: { customerId: 'C-00021' },
        })
      ).status,
    ).toBe(200);

    const records = (await auditRecords(local)).filter(
      (record) =>
        String(record.tool).startsWith('PUT /admin/switches') && record.statusCode === 200,
    );
    expect(records.map((record) => JSON.parse(String(record.input)).enabled)).toEqual(
      expect.arrayContaining([false, true]),
    );
    expect(records.find((record) => record.reason === 'ops runbook 7')).toBeDefined();
  });

  it('answers GET /admin/switches and a switch change with exactly the fields the README documents', async () => {
    // The README's HTTP API table is the contract: `{"switches":[{"kind",…}]}`.
    const row = readme()
      .split('\n')
      .find((line) => line.startsWith('| `GET /admin/switches`'));
    const documented = [...(/\[\{([^}]+)\}\]/.exec(row ?? '')?.[1] ?? '').matchAll(/"(\w+)"/g)]
      .map((match) => match[1])
      .sort();
    expect(documented).toContain('kind');
    const changed = await local.call('PUT', '/admin/switches/tool/check_inventory', {
      as: admin,
      body: { enabled: true, reason: 'fields check' },
    });
    const listed = await local.call('GET', '/admin/switches', { as: admin });
    const answered = listed.body.switches.find(
      (entry: { name: string }) => entry.name === 'check_inventory',
    );
    expect(Object.keys(answered).sort()).toEqual(documented);
    expect(Object.keys(changed.body.switch).sort()).toEqual(documented);
    expect(answered).toMatchObject({ by: 'ops', at: expect.any(String) });
  });

  it('switches a single tool off', async () => {
    await local.call('PUT', '/admin/switches/tool/get_customer', {
      as: admin,
      body: { enabled: false, reason: 'bad data' },
    });
    outlastSwitchesCache();
    expect(
      (
        await local.call('POST', '/tools/get_customer', {
          as: ana,
          body: { customerId: 'C-00021' },
        })
      ).status,
    ).toBe(503);
    expect(
      (await local.call('POST', '/tools/search_customers', { as: ana, body: { query: 'north' } }))
        .status,
    ).toBe(200);
    await local.call('PUT', '/admin/switches/tool/get_customer', {
      as: admin,
      body: { enabled: true },
    });
  });
});
