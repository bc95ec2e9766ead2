import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryLog, quietness, usualGapMs } from '#layers/webhooks/delivery-log.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

const MINUTE = 60_000;

describe('usualGapMs', () => {
  it('answers the median gap between arrivals, whatever their order', () => {
    expect(usualGapMs([0, 10 * MINUTE, 20 * MINUTE, 80 * MINUTE])).toBe(10 * MINUTE);
    expect(usualGapMs([30 * MINUTE, 0, 10 * MINUTE])).toBe(15 * MINUTE);
  });

  it('is at least 5 minutes, and unknown with fewer than two arrivals', () => {
    expect(usualGapMs([0, 1_000, 2_000])).toBe(5 * MINUTE);
    expect(usualGapMs([0])).toBeUndefined();
    expect(usualGapMs([])).toBeUndefined();
  });
});

describe('quietness', () => {
  const now = Date.UTC(2026, 11, 2, 12);

  it('is quiet when the last event is older than 3 usual gaps, saying for how long', () => {
    expect(quietness(now, now - 31 * MINUTE, 10 * MINUTE)).toEqual({
      lastEventAt: new Date(now - 31 * MINUTE).toISOString(),
      usualGapSeconds: 600,
      quiet: true,
      quietForSeconds: 31 * 60,
    });
    expect(quietness(now, now - 29 * MINUTE, 10 * MINUTE)).toMatchObject({ quiet: false });
    expect(quietness(now, now - 29 * MINUTE, 10 * MINUTE)).not.toHaveProperty('quietForSeconds');
  });

  it('is quiet without any event, or none in 24 hours, and not without a usual gap within the day', () => {
    expect(quietness(now, undefined, undefined)).toEqual({ quiet: true });
    expect(quietness(now, now - 25 * 60 * MINUTE, undefined)).toMatchObject({
      quiet: true,
      quietForSeconds: 25 * 3_600,
    });
    expect(quietness(now, now - 20 * 60 * MINUTE, undefined)).toMatchObject({ quiet: false });
  });
});

describe('DeliveryLog (against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  const clock = { now: Date.UTC(2026, 11, 2, 12) };
  let log: DeliveryLog;

  beforeAll(async () => {
    db = await startTables();
    log = new DeliveryLog({
      client: db.client,
      tableName: localTableNames.webhooks,
      now: () => clock.now,
    });
  });
  afterAll(() => db.close());

  const accepted = (source: string, at: number, id: string) => ({
    id: `${source}:${id}`,
    source,
    type: 'x.updated',
    receivedAt: new Date(at).toISOString(),
    outcome: 'accepted' as const,
  });

  it('learns a source’s rhythm from its arrivals and flags it once it misses three gaps', async () => {
    // Arrange: an event every 20 minutes for two hours
    const start = clock.now;
    for (let index = 0; index < 7; index++) {
      clock.now = start + index * 20 * MINUTE;
      await log.record([accepted('alpha', clock.now, `e${index}`)], () => true);
    }
    // Act and assert: on time, then late
    clock.now += 50 * MINUTE;
    const [onTime] = await log.activity(['alpha']);
    expect(onTime).toMatchObject({ received24h: 7, usualGapSeconds: 1_200, quiet: false });
    clock.now += 20 * MINUTE;
    const [late] = await log.activity(['alpha']);
    expect(late).toMatchObject({ quiet: true, quietForSeconds: 70 * 60 });
  });

  it('counts outcomes per source over the last 24 hours only, and lists each filter newest first', async () => {
    const at = clock.now;
    await log.record(
      [
        accepted('beta', at, '1'),
        { ...accepted('beta', at + 1, '1'), outcome: 'duplicate' },
        {
          id: 'beta:refused:x',
          source: 'beta',
          receivedAt: new Date(at + 2).toISOString(),
          outcome: 'refused',
          reason: 'signature_mismatch',
        },
        accepted('gamma', at + 3, '1'),
      ],
      (source) => source === 'beta',
    );
    const [beta, gamma] = await log.activity(['beta', 'gamma']);
    expect(beta).toMatchObject({ received24h: 1, duplicates24h: 1, refused24h: 1 });
    expect(gamma).toEqual({
      source: 'gamma',
      received24h: 0,
      duplicates24h: 0,
      refused24h: 0,
      quiet: true,
    });
    const listed = await log.list({ source: 'beta' }, { limit: 10 });
    expect(listed.records.map((record) => record.outcome)).toEqual([
      'refused',
      'duplicate',
      'accepted',
    ]);
    expect(listed.records[0]).toEqual({
      id: 'beta:refused:x',
      source: 'beta',
      receivedAt: new Date(at + 2).toISOString(),
      outcome: 'refused',
      reason: 'signature_mismatch',
    });
    expect((await log.list({ outcome: 'duplicate' }, { limit: 10 })).records).toHaveLength(1);
    expect(
      (await log.list({ source: 'beta', outcome: 'accepted' }, { limit: 10 })).records,
    ).toHaveLength(1);
    const filter = { from: new Date(at).toISOString() };
    const all = await log.list(filter, { limit: 2 });
    expect(all.records.map((record) => record.id)).toEqual(['gamma:1', 'beta:refused:x']);
    const next = await log.list(filter, { limit: 2, cursor: all.cursor });
    expect(next.records.map((record) => record.id)).toEqual(['beta:duplicate:1', 'beta:1']);

    clock.now += 24 * 3_600_000;
    const [dayLater] = await log.activity(['beta']);
    expect(dayLater).toMatchObject({ received24h: 0, duplicates24h: 0, refused24h: 0 });
  });
});
