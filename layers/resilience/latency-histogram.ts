/**
 * Upper bounds (ms) of the latency buckets every instance counts calls in. Fixed and shared, so
 * that histograms from any instance and minute add up bucket by bucket; a percentile is read back
 * as the bound of the bucket it falls in (at most about 50 % above the true value). The last bucket
 * holds everything slower than the last bound. Appending bounds is safe; changing one is not:
 * stored counts are keyed by bucket index.
 */
export const latencyBucketBoundsMs = [
  1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000,
  5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 60_000,
] as const;

/**
 * The bucket of a latency: the first whose bound is at least `ms` (binary search over 28 bounds).
 *
 * @example
 * latencyBucket(42); // 9 (the 50 ms bucket)
 */
export function latencyBucket(ms: number): number {
  let low = 0;
  let high: number = latencyBucketBoundsMs.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((latencyBucketBoundsMs[middle] as number) < ms) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Counts per bucket index; buckets without calls may be absent. */
export type LatencyHistogram = Map<number, number>;

/** Adds `from` into `into`, bucket by bucket. */
export function mergeHistogram(into: LatencyHistogram, from: ReadonlyMap<number, number>): void {
  for (const [bucket, count] of from) into.set(bucket, (into.get(bucket) ?? 0) + count);
}

/**
 * The `p`-th percentile (0..100) of a histogram, as the bound of the bucket that holds the rank
 * (the slowest bucket answers its lower bound: no upper one exists); 0 without calls.
 *
 * @example
 * percentile(new Map([[9, 9], [17, 1]]), 95); // 1000
 */
export function percentile(histogram: ReadonlyMap<number, number>, p: number): number {
  const buckets = [...histogram].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= rank) return boundOf(bucket);
  }
  return boundOf((buckets.at(-1) as [number, number])[0]);
}

const boundOf = (bucket: number): number =>
  latencyBucketBoundsMs[Math.min(bucket, latencyBucketBoundsMs.length - 1)] as number;
