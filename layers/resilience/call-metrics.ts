import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { resilienceKeys } from './keys.ts';
import { type LatencyHistogram, latencyBucket, mergeHistogram } from './latency-histogram.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** What a connector tells of each call it made to its system. */
export interface CallRecorder {
  /** `success`: the system gave a usable answer; `durationMs`: how long the call took. */
  record(success: boolean, durationMs: number): void;
}

/** One system's calls in one minute. */
export interface MinuteMetrics {
  /** The minute's start, epoch ms. */
  at: number;
  calls: number;
  errors: number;
  latency: LatencyHistogram;
}

/** Runs `flush` after `ms`, in the background. */
export type FlushScheduler = (flush: () => void, ms: number) => void;

const backgroundTimer: FlushScheduler = (flush, ms) => {
  // Unref'd: a pending flush never keeps a process alive. On Lambda a timer due while the
  // instance was frozen fires as soon as it is thawed for its next call.
  setTimeout(flush, ms).unref();
};

/** Attribute names of one minute in its hour's item: `c07`, `e07`, `b07_12`. */
const minuteAttribute = {
  calls: (minute: number) => `c${String(minute).padStart(2, '0')}`,
  errors: (minute: number) => `e${String(minute).padStart(2, '0')}`,
  bucket: (minute: number, bucket: number) => `b${String(minute).padStart(2, '0')}_${bucket}`,
};
const minuteOfHour = (at: number) => Math.floor((at % HOUR_MS) / MINUTE_MS);

/**
 * Calls, errors and a latency histogram per system and minute, counted in this instance's memory
 * (one Map update per call, nothing awaited) and added to the resilience table in the background:
 * one `UpdateItem` `ADD` per system and minute, into the system's item of that hour, which expires
 * after `retentionSeconds`. A flush is due `flushAfterMs` after the first call it will carry; a
 * flush that fails puts its counts back for the next one. What an instance counted but never
 * flushed before it was recycled is lost: the figures are for watching, not billing.
 *
 * @example
 * const metrics = new CallMetrics({ client, tableName });
 * const erp = metrics.recorderFor('erp');
 * erp.record(true, 42);        // counted; flushed within 10 s
 * await metrics.flush();       // or at once (tests, shutdown)
 */
export class CallMetrics {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;
  readonly #flushAfterMs: number;
  readonly #retentionSeconds: number;
  readonly #schedule: FlushScheduler;
  readonly #onError: (error: Error) => void;
  /** system → minute start → counts. */
  #pending = new Map<string, Map<number, MinuteMetrics>>();
  #scheduled = false;
  /** The writes of the flushes under way. */
  #writing: Promise<void> = Promise.resolve();

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    /** @default Date.now */
    now?: () => number;
    /** @default 10000 */
    flushAfterMs?: number;
    /** How long the stored figures are kept (DynamoDB TTL). @default 86400 */
    retentionSeconds?: number;
    /** @default a background timer */
    schedule?: FlushScheduler;
    /** A flush that failed (its counts wait for the next one). @default ignored */
    onError?: (error: Error) => void;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? Date.now;
    this.#flushAfterMs = options.flushAfterMs ?? 10_000;
    this.#retentionSeconds = options.retentionSeconds ?? 86_400;
    this.#schedule = options.schedule ?? backgroundTimer;
    this.#onError = options.onError ?? (() => {});
  }

  /** What a connector of `systemId` records its calls with. */
  recorderFor(systemId: string): CallRecorder {
    return { record: (success, durationMs) => this.record(systemId, success, durationMs) };
  }

  record(systemId: string, success: boolean, durationMs: number): void {
    const now = this.#now();
    const minute = this.#minute(systemId, now - (now % MINUTE_MS));
    minute.calls++;
    if (!success) minute.errors++;
    const bucket = latencyBucket(durationMs);
    minute.latency.set(bucket, (minute.latency.get(bucket) ?? 0) + 1);
    this.#scheduleFlush();
  }

  /** The pending counts of a system's minute, created empty. */
  #minute(systemId: string, at: number): MinuteMetrics {
    let minutes = this.#pending.get(systemId);
    if (!minutes) {
      minutes = new Map();
      this.#pending.set(systemId, minutes);
    }
    let minute = minutes.get(at);
    if (!minute) {
      minute = { at, calls: 0, errors: 0, latency: new Map() };
      minutes.set(at, minute);
    }
    return minute;
  }

  #scheduleFlush(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      void this.flush();
    }, this.#flushAfterMs);
  }

  /**
   * Adds everything counted so far to the table, and resolves once that and any flush already
   * under way are done; never throws (a failure is reported to `onError`).
   */
  async flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    const writes: Promise<void>[] = [this.#writing];
    for (const [systemId, minutes] of pending)
      for (const minute of minutes.values()) writes.push(this.#write(systemId, minute));
    const all = Promise.all(writes).then(() => {});
    this.#writing = all;
    await all;
  }

  async #write(systemId: string, minute: MinuteMetrics): Promise<void> {
    const hourStart = minute.at - (minute.at % HOUR_MS);
    const index = minuteOfHour(minute.at);
    const names: Record<string, string> = {
      '#ttl': 'ttl',
      '#c': minuteAttribute.calls(index),
      '#e': minuteAttribute.errors(index),
    };
    const values: Record<string, number> = {
      ':ttl': Math.floor(hourStart / 1000) + 3_600 + this.#retentionSeconds,
      ':c': minute.calls,
      ':e': minute.errors,
    };
    const adds = ['#c :c', '#e :e'];
    for (const [bucket, count] of minute.latency) {
      names[`#b${bucket}`] = minuteAttribute.bucket(index, bucket);
      values[`:b${bucket}`] = count;
      adds.push(`#b${bucket} :b${bucket}`);
    }
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: resilienceKeys.metrics.key(systemId, hourStart) },
          UpdateExpression: `ADD ${adds.join(', ')} SET #ttl = :ttl`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      this.#putBack(systemId, minute);
      this.#onError(error as Error);
    }
  }

  /** Counts of a failed flush wait for the next one, unless they are older than what is kept. */
  #putBack(systemId: string, failed: MinuteMetrics): void {
    if (failed.at < this.#now() - this.#retentionSeconds * 1000) return;
    const minute = this.#minute(systemId, failed.at);
    minute.calls += failed.calls;
    minute.errors += failed.errors;
    mergeHistogram(minute.latency, failed.latency);
    this.#scheduleFlush();
  }
}

/**
 * A system's stored figures for the minutes from `from` to `to` (epoch ms, both included), oldest
 * first, minutes without calls as zeros: one GetItem per hour the range touches (two for 15 minutes
 * at most).
 *
 * @example
 * const minutes = await readCallMetrics({ client, tableName }, 'erp', now - 14 * 60_000, now);
 */
export async function readCallMetrics(
  store: { client: DynamoDBDocumentClient; tableName: string },
  systemId: string,
  from: number,
  to: number,
): Promise<MinuteMetrics[]> {
  const first = from - (from % MINUTE_MS);
  const last = to - (to % MINUTE_MS);
  const hours: number[] = [];
  for (let hour = first - (first % HOUR_MS); hour <= last; hour += HOUR_MS) hours.push(hour);
  const items = new Map(
    await Promise.all(
      hours.map(async (hour) => {
        const { Item } = await store.client.send(
          new GetCommand({
            TableName: store.tableName,
            Key: { pk: resilienceKeys.metrics.key(systemId, hour) },
          }),
        );
        return [hour, Item ?? {}] as const;
      }),
    ),
  );
  const minutes: MinuteMetrics[] = [];
  for (let at = first; at <= last; at += MINUTE_MS) {
    const item = items.get(at - (at % HOUR_MS)) ?? {};
    const index = minuteOfHour(at);
    const latency: LatencyHistogram = new Map();
    const prefix = minuteAttribute.bucket(index, 0).slice(0, -1);
    for (const [attribute, count] of Object.entries(item)) {
      if (attribute.startsWith(prefix))
        latency.set(Number(attribute.slice(prefix.length)), Number(count));
    }
    minutes.push({
      at,
      calls: Number(item[minuteAttribute.calls(index)] ?? 0),
      errors: Number(item[minuteAttribute.errors(index)] ?? 0),
      latency,
    });
  }
  return minutes;
}
