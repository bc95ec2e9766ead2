import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import { CallMetrics, readCallMetrics } from '#layers/resilience/call-metrics.ts';
import {
  latencyBucket,
  latencyBucketBoundsMs,
  mergeHistogram,
  percentile,
} from '#layers/resilience/latency-histogram.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

describe('latency histogram', () => {
  it('puts a latency in the first bucket whose bound is at least it', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(1)).toBe(0);
    expect(latencyBucket(1.2)).toBe(1);
    expect(latencyBucket(42)).toBe(latencyBucketBoundsMs.indexOf(50));
    expect(latencyBucket(50)).toBe(latencyBucketBoundsMs.indexOf(50));
    expect(latencyBucket(120_000)).toBe(latencyBucketBoundsMs.length);
  });

  it('reads p50 and p95 as the bounds of the buckets holding those ranks', () => {
    // 90 calls of ~40 ms, 10 of ~900 ms
    const histogram = new Map([
      [latencyBucket(40), 90],
      [latencyBucket(900), 10],
    ]);
    expect(percentile(histogram, 50)).toBe(50);
    expect(percentile(histogram, 90)).toBe(50);
    expect(percentile(histogram, 95)).toBe(1_000);
    expect(percentile(new Map(), 95)).toBe(0);
    expect(percentile(new Map([[latencyBucketBoundsMs.length, 3]]), 50)).toBe(60_000);
  });

  it('merges histograms of several minutes bucket by bucket before reading a percentile', () => {
    const total = new Map([[latencyBucket(10), 5]]);
    mergeHistogram(total, new Map([[latencyBucket(10), 1]]));
    mergeHistogram(total, new Map([[latencyBucket(2_000), 14]]));
    expect(total.get(latencyBucket(10))).toBe(6);
    // 6 fast, 14 slow: the median is slow, which averaging two minutes' medians would not say
    expect(percentile(total, 50)).toBe(2_000);
  });
});

describe('CallMetrics (against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let client: ReturnType<typeof createDocumentClient>;
  const tableName = localTableNames.resilience;
  const hour = Date.UTC(2026, 11, 2, 10);

  beforeAll(async () => {
    db = await startTables();
    client = db.client;
  });
  afterAll(() => db.close());

  /** An instance with its own clock and a scheduler the test fires by hand. */
  const instance = (clock: { now: number }, systemPrefix = '') => {
    const due: { flush: () => void; ms: number }[] = [];
    const sent: string[] = [];
    const counting = {
      send: (command: { input: { Key: { pk: string } } }) => {
        sent.push(command.input.Key.pk);
        return client.send(command as never);
      },
    } as unknown as typeof client;
    const metrics = new CallMetrics({
      client: counting,
      tableName,
      now: () => clock.now,
      flushAfterMs: 5_000,
      schedule: (flush, ms) => due.push({ flush, ms }),
    });
    return { metrics, due, sent, system: (id: string) => `${systemPrefix}${id}` };
  };

  it('counts in memory, schedules one flush, and writes one item per system and minute when it runs', async () => {
    // Arrange
    const clock = { now: hour + 3 * 60_000 + 10_000 };
    const { metrics, due, sent } = instance(clock);
    // Act: three calls in minute 3, one in minute 4, two systems
    metrics.record('alpha', true, 40);
    metrics.record('alpha', false, 900);
    metrics.record('beta', true, 5);
    clock.now += 60_000;
    metrics.record('alpha', true, 45);
    // Assert: nothing written yet, one flush scheduled after the interval
    expect(sent).toEqual([]);
    expect(due.map((entry) => entry.ms)).toEqual([5_000]);
    due[0]?.flush();
    expect(sent).toHaveLength(3); // the scheduled flush sent everything at once
    await metrics.flush(); // nothing new to send: waits for the scheduled flush's writes
    expect(sent).toHaveLength(3);
    expect(new Set(sent)).toEqual(new Set([`metrics#alpha#${hour}`, `metrics#beta#${hour}`]));
    const minutes = await readCallMetrics(
      { client, tableName },
      'alpha',
      hour + 2 * 60_000,
      clock.now,
    );
    expect(minutes.map(({ at, calls, errors }) => ({ at, calls, errors }))).toEqual([
      { at: hour + 2 * 60_000, calls: 0, errors: 0 },
      { at: hour + 3 * 60_000, calls: 2, errors: 1 },
      { at: hour + 4 * 60_000, calls: 1, errors: 0 },
    ]);
    expect(percentile(minutes[1]?.latency ?? new Map(), 95)).toBe(1_000);
  });

  it('adds the counts of several instances into the same minute', async () => {
    const clock = { now: hour + 20 * 60_000 };
    const a = instance(clock);
    const b = instance(clock);
    for (let call = 0; call < 3; call++) a.metrics.record('gamma', true, 10);
    for (let call = 0; call < 4; call++) b.metrics.record('gamma', call === 0, 10);
    await Promise.all([a.metrics.flush(), b.metrics.flush()]);
    const [minute] = await readCallMetrics({ client, tableName }, 'gamma', clock.now, clock.now);
    expect(minute).toMatchObject({ calls: 7, errors: 3 });
    expect(minute?.latency.get(latencyBucket(10))).toBe(7);
  });

  it('reads a range across an hour boundary from both hours', async () => {
    const clock = { now: hour + 59 * 60_000 };
    const { metrics, sent } = instance(clock);
    metrics.record('delta', true, 3);
    clock.now += 60_000;
    metrics.record('delta', true, 3);
    await metrics.flush();
    expect(new Set(sent)).toEqual(
      new Set([`metrics#delta#${hour}`, `metrics#delta#${hour + 3_600_000}`]),
    );
    const minutes = await readCallMetrics(
      { client, tableName },
      'delta',
      hour + 45 * 60_000,
      clock.now,
    );
    expect(minutes).toHaveLength(16);
    expect(minutes.slice(-2).map((minute) => minute.calls)).toEqual([1, 1]);
    expect(minutes.slice(0, -2).every((minute) => minute.calls === 0)).toBe(true);
  });

  it('keeps the counts of a failed flush for the next one', async () => {
    const clock = { now: hour + 30 * 60_000 };
    let fail = true;
    const failures: string[] = [];
    const due: (() => void)[] = [];
    const metrics = new CallMetrics({
      client: {
        send: (command: never) =>
          fail ? Promise.reject(new Error('throttled')) : client.send(command),
      } as unknown as typeof client,
      tableName,
      now: () => clock.now,
      schedule: (flush) => due.push(flush),
      onError: (error) => failures.push(error.message),
    });
    metrics.record('epsilon', false, 100);
    await metrics.flush();
    expect(failures).toEqual(['throttled']);
    fail = false;
    metrics.record('epsilon', true, 100);
    await metrics.flush();
    const [minute] = await readCallMetrics({ client, tableName }, 'epsilon', clock.now, clock.now);
    expect(minute).toMatchObject({ calls: 2, errors: 1 });
  });
});
