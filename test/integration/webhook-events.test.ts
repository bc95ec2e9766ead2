import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installClock, type TestClock } from '#test/helpers/clock.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { deliver, stripeDelivery, unix, webhookSecret } from '#test/helpers/webhooks.ts';

const admin = { sub: 'ops', roles: ['admin'] };
const auditor = { sub: 'aud', roles: ['auditor'] };
const approver = { sub: 'appr', roles: ['approver'] };
const sam = { sub: 'sam', roles: ['sales'] };

interface EventView {
  id: string;
  source: string;
  type?: string;
  receivedAt: string;
  outcome: string;
  reason?: string;
}

describe('GET /webhooks/events in local mode', () => {
  let local: LocalHarness;
  let clock: TestClock;
  const accepted: string[] = [];
  let startedAt: string;

  beforeAll(async () => {
    clock = installClock();
    local = await startLocalHarness();
    // Arrange: three Stripe events, one redelivered, one forged and one replayed too late
    startedAt = new Date().toISOString();
    const secret = await webhookSecret(local, 'stripe');
    const sent = [0, 1, 2].map(() => stripeDelivery(secret));
    // Each delivery a few milliseconds after the one before, so that "newest first" has one answer
    // even on a machine fast enough to take two in the same millisecond.
    for (const delivery of sent) {
      expect((await deliver(local, 'stripe', delivery.body, delivery.headers)).status).toBe(202);
      accepted.push(`stripe:${delivery.id}`);
      clock.advance(5);
    }
    const again = sent[1] as (typeof sent)[number];
    expect((await deliver(local, 'stripe', again.body, again.headers)).status).toBe(200);
    clock.advance(5);
    const forged = stripeDelivery('whsec_not_the_secret');
    expect((await deliver(local, 'stripe', forged.body, forged.headers)).status).toBe(401);
    clock.advance(5);
    const late = stripeDelivery(secret, undefined, unix() - 3_600);
    expect((await deliver(local, 'stripe', late.body, late.headers)).status).toBe(401);
  });
  afterAll(async () => {
    await local?.stop();
    clock?.restore();
  });

  const list = (query: string, as = admin) => local.call('GET', `/webhooks/events${query}`, { as });

  it('lists each delivery outcome of a source newest first, refusals with their reason only', async () => {
    const response = await list('?source=stripe');
    expect(response.status).toBe(200);
    const events: EventView[] = response.body.events;
    expect(events.map((event) => event.outcome)).toEqual([
      'refused',
      'refused',
      'duplicate',
      'accepted',
      'accepted',
      'accepted',
    ]);
    expect(events.slice(3).map((event) => event.id)).toEqual([...accepted].reverse());
    expect(events[2]).toMatchObject({ id: accepted[1], type: 'customer.updated' });
    expect(events.slice(0, 2).map((event) => event.reason)).toEqual([
      'stale_timestamp',
      'signature_mismatch',
    ]);
    const times = events.map((event) => event.receivedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(JSON.stringify(response.body)).not.toContain('cus_123');
    expect(response.body.cursor).toBeUndefined();
  });

  it('counts the last 24 hours of every configured source, and flags one that never sent as quiet', async () => {
    const { sources } = (await list('?source=stripe')).body;
    expect(sources.map((source: { source: string }) => source.source)).toEqual(
      expect.arrayContaining(['stripe', 'github', 'svix', 'erp']),
    );
    const stripe = sources.find((source: { source: string }) => source.source === 'stripe');
    expect(stripe).toMatchObject({
      received24h: 3,
      duplicates24h: 1,
      refused24h: 2,
      quiet: false,
    });
    expect(Date.parse(stripe.lastEventAt)).toBeGreaterThanOrEqual(Date.parse(startedAt));
    const github = sources.find((source: { source: string }) => source.source === 'github');
    expect(github).toEqual({
      source: 'github',
      received24h: 0,
      duplicates24h: 0,
      refused24h: 0,
      quiet: true,
    });
  });

  it('filters by outcome and time, each alone or with the source', async () => {
    const refused: EventView[] = (await list('?source=stripe&outcome=refused')).body.events;
    expect(refused.map((event) => event.reason)).toEqual(['stale_timestamp', 'signature_mismatch']);
    const duplicates: EventView[] = (await list('?outcome=duplicate')).body.events;
    expect(duplicates.map((event) => event.id)).toContain(accepted[1]);
    expect(duplicates.every((event) => event.outcome === 'duplicate')).toBe(true);
    const before = new Date(Date.parse(startedAt) - 60_000).toISOString();
    expect((await list(`?source=stripe&to=${before}`)).body.events).toEqual([]);
    expect((await list(`?source=stripe&from=${startedAt}`)).body.events).toHaveLength(6);
    expect((await list('?source=github')).body.events).toEqual([]);
  });

  it('pages with an opaque cursor that only the same filters accept', async () => {
    const first = await list('?source=stripe&limit=4');
    expect(first.body.events).toHaveLength(4);
    expect(typeof first.body.cursor).toBe('string');
    const second = await list(`?source=stripe&limit=4&cursor=${first.body.cursor}`);
    expect(second.status).toBe(200);
    // A redelivery keeps its event's id: an entry is its id and outcome
    const entries = [...first.body.events, ...second.body.events].map(
      (event: EventView) => `${event.id} ${event.outcome} ${event.reason}`,
    );
    expect(entries).toHaveLength(6);
    expect(new Set(entries).size).toBe(6);
    expect(entries).toEqual(
      (await list('?source=stripe')).body.events.map(
        (event: EventView) => `${event.id} ${event.outcome} ${event.reason}`,
      ),
    );

    const other = await list(`?source=stripe&outcome=accepted&cursor=${first.body.cursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('invalid_cursor');
    expect(other.body.error.issues[0].path).toBe('cursor');
    const garbage = await list('?source=stripe&cursor=not-a-cursor');
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('invalid_cursor');
  });

  it('answers 400 naming each bad parameter', async () => {
    const cases: [query: string, path: string][] = [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?from=yesterday', 'from'],
      ['?to=2026-13-01', 'to'],
      ['?from=2026-12-02T10:00:00Z&to=2026-12-01T10:00:00Z', 'from'],
      ['?outcome=lost', 'outcome'],
      ['?source=Stripe!', 'source'],
      ['?sauce=stripe', 'sauce'],
    ];
    for (const [query, path] of cases) {
      const response = await list(query);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe('invalid_input');
      expect(
        response.body.error.issues.map((issue: { path: string }) => issue.path),
        query,
      ).toContain(path);
    }
  });

  it('lets admins, approvers and auditors read it, and refuses others naming the roles', async () => {
    expect((await list('', auditor)).status).toBe(200);
    expect((await list('', approver)).status).toBe(200);
    const refused = await list('', sam);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(refused.body.error.message).toContain('auditor');
    expect((await local.call('GET', '/webhooks/events')).status).toBe(401);
  });

  it('flags a source quiet once a day has passed without an event', async () => {
    clock.advance(25 * 3_600_000);
    const { sources } = (await list('?source=stripe')).body;
    const stripe = sources.find((source: { source: string }) => source.source === 'stripe');
    expect(stripe).toMatchObject({ received24h: 0, quiet: true });
    expect(stripe.quietForSeconds).toBeGreaterThanOrEqual(25 * 3_600);
  });
});
