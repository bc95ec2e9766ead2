import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { pagedQuery, type QueryPlan } from '../aws/paged-query.ts';
import { keyAttributesOf } from '../aws/table-keys.ts';

export type DeliveryOutcome = 'accepted' | 'duplicate' | 'refused';

/** What the log keeps of one event of a delivery (a refused delivery: one entry, no type). */
export interface DeliveryRecord {
  /** The event's id, `<source>:<sender's id>`; a refused delivery's own id. */
  id: string;
  source: string;
  type?: string | undefined;
  /** ISO 8601. */
  receivedAt: string;
  outcome: DeliveryOutcome;
  /** Why it was refused: a stable code (`signature_mismatch`, `stale_timestamp`, …), never a payload. */
  reason?: string | undefined;
}

export interface DeliveryFilter {
  source?: string | undefined;
  outcome?: DeliveryOutcome | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Per source, over the last 24 hours. */
export interface SourceActivity {
  source: string;
  received24h: number;
  duplicates24h: number;
  refused24h: number;
  lastEventAt?: string;
  usualGapSeconds?: number;
  quiet: boolean;
  quietForSeconds?: number;
}

/**
 * The index that makes every filter of GET /webhooks/events a Query: each log entry is stored once
 * per filter combination it answers (all, its source, its outcome, both), keyed by that combination
 * (`logKey`) and sorted by time and id (`logAt`). Only log entries carry these attributes: the
 * index is sparse (receipts and processed events stay out of it).
 */
export const webhookLogIndex = {
  name: 'deliveryLog',
  partitionKey: 'logKey',
  sortKey: 'logAt',
} as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Arrival times are kept one per slot: 288 slots of 5 minutes cover a day in one small item. */
const SLOT_MS = 5 * 60_000;
const SLOTS = DAY_MS / SLOT_MS;
/** The usual gap is at least this, so a busy source is not called quiet after a few seconds. */
const MIN_USUAL_GAP_MS = SLOT_MS;

const logKeysOf = (record: DeliveryRecord): string[] => [
  'all',
  `source#${record.source}`,
  `outcome#${record.outcome}`,
  `source#${record.source}#outcome#${record.outcome}`,
];
const logKeyFor = (filter: DeliveryFilter): string =>
  filter.source && filter.outcome
    ? `source#${filter.source}#outcome#${filter.outcome}`
    : filter.source
      ? `source#${filter.source}`
      : filter.outcome
        ? `outcome#${filter.outcome}`
        : 'all';

/** Item keys in the webhook table, beside `receipt#…` and `event#…`. */
const keys = {
  entry: (logKey: string, logAt: string) => `log#${logKey}#${logAt}`,
  /** A source's counts of one hour. */
  counts: (source: string, hourStart: number) => `count#${source}#${hourStart}`,
  /** A source's last arrival and its sample of arrival times. */
  arrivals: (source: string) => `arrivals#${source}`,
};
const slotAttribute = (at: number) => `s${Math.floor(at / SLOT_MS) % SLOTS}`;

/**
 * The webhook delivery log and per-source activity: every event's outcome (accepted, duplicate,
 * refused with a reason), counted per source and hour with `ADD`s, and a bounded sample of
 * arrival times per source (the latest arrival in each 5-minute slot of the last day, one item) from
 * which the usual gap is the median. Entries expire after the retention; counts after two days.
 *
 * @example
 * await log.record([{ id: 'stripe:evt_1', source: 'stripe', type: 'customer.updated', receivedAt, outcome: 'accepted' }]);
 * const page = await log.list({ source: 'stripe' }, { limit: 25 });
 * const sources = await log.activity(['stripe', 'hubspot']);
 */
export class DeliveryLog {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #retentionSeconds: number;
  readonly #now: () => number;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    /** @default 30 */
    retentionDays?: number;
    /** @default Date.now */
    now?: () => number;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#retentionSeconds = (options.retentionDays ?? 30) * 86_400;
    this.#now = options.now ?? Date.now;
  }

  /** Logs the entries and counts them; `counted`: the sources whose counters and arrivals are kept. */
  async record(
    records: readonly DeliveryRecord[],
    counted: (source: string) => boolean,
  ): Promise<void> {
    if (records.length === 0) return;
    const ttl = Math.floor(this.#now() / 1000) + this.#retentionSeconds;
    const items = records.flatMap((record) => {
      // A redelivery keeps its event's id, and may arrive in the same millisecond: each entry
      // has its own suffix.
      const logAt = `${record.receivedAt}#${record.id}#${randomUUID().slice(0, 8)}`;
      return logKeysOf(record).map((logKey) => {
        return {
          pk: keys.entry(logKey, logAt),
          [webhookLogIndex.partitionKey]: logKey,
          [webhookLogIndex.sortKey]: logAt,
          ...withoutUndefined(record),
          ttl,
        };
      });
    });
    await Promise.all([
      this.#writeAll(items),
      ...this.#counterUpdates(records.filter((record) => counted(record.source))),
    ]);
  }

  #counterUpdates(records: readonly DeliveryRecord[]): Promise<unknown>[] {
    const bySource = new Map<string, { counts: Record<DeliveryOutcome, number>; last?: number }>();
    for (const record of records) {
      const entry = bySource.get(record.source) ?? {
        counts: { accepted: 0, duplicate: 0, refused: 0 },
      };
      entry.counts[record.outcome]++;
      const at = Date.parse(record.receivedAt);
      if (record.outcome === 'accepted' && (entry.last === undefined || at > entry.last))
        entry.last = at;
      bySource.set(record.source, entry);
    }
    const now = this.#now();
    const hourStart = now - (now % HOUR_MS);
    return [...bySource].flatMap(([source, { counts, last }]) => {
      const updates: Promise<unknown>[] = [
        this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: keys.counts(source, hourStart) },
            UpdateExpression: 'ADD received :a, duplicates :d, refused :r SET #ttl = :ttl',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':a': counts.accepted,
              ':d': counts.duplicate,
              ':r': counts.refused,
              ':ttl': Math.floor((hourStart + 2 * DAY_MS) / 1000),
            },
          }),
        ),
      ];
      // Arrivals are deliveries that brought something new: redeliveries and refusals are not the
      // source's own rhythm.
      if (last !== undefined)
        updates.push(
          this.#client.send(
            new UpdateCommand({
              TableName: this.#table,
              Key: { pk: keys.arrivals(source) },
              UpdateExpression: 'SET #slot = :at, lastEventAt = :at',
              ExpressionAttributeNames: { '#slot': slotAttribute(last) },
              ExpressionAttributeValues: { ':at': last },
            }),
          ),
        );
      return updates;
    });
  }

  /** BatchWriteItem in chunks of 25, putting back what DynamoDB left unprocessed (a few tries). */
  async #writeAll(items: readonly Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < items.length; start += 25) {
      let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt === 5) throw new Error(`${requests.length} delivery log entries not written`);
        const result = await this.#client.send(
          new BatchWriteCommand({ RequestItems: { [this.#table]: requests } }),
        );
        requests = (result.UnprocessedItems?.[this.#table] ?? []) as typeof requests;
      }
    }
  }

  /** Entries newest first, one Query on the index; `lastKey` continues after the last one. */
  /**
   * The log, newest first, one Query on the entry's filter combination; `cursor` is the opaque one
   * of the previous page (400 `invalid_cursor` when it was made for other filters).
   */
  async list(
    filter: DeliveryFilter,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ records: DeliveryRecord[]; cursor?: string }> {
    const { name, partitionKey, sortKey } = webhookLogIndex;
    const plan: QueryPlan = {
      index: name,
      partitionKey,
      partitions: [logKeyFor(filter)],
      sortKey,
      // `logAt` is `<ISO time>#<id>`: '#' sorts before every character of an id, '~' after them.
      ...(filter.from ? { sortFrom: filter.from } : {}),
      ...(filter.to ? { sortTo: `${filter.to}~` } : {}),
      filters: {},
      forward: false,
      keyAttributes: keyAttributesOf(['pk'], webhookLogIndex),
    };
    const answer = await pagedQuery(this.#client, this.#table, plan, page);
    const records = answer.items.map((item) =>
      withoutUndefined({
        id: String(item.id),
        source: String(item.source),
        type: item.type as string | undefined,
        receivedAt: String(item.receivedAt),
        outcome: item.outcome as DeliveryOutcome,
        reason: item.reason as string | undefined,
      }),
    );
    return answer.cursor ? { records, cursor: answer.cursor } : { records };
  }

  /**
   * Each source's counts over the last 24 hours (this hour and the 23 before it), last arrival,
   * usual gap (the median gap between the sampled arrivals of the last 24 hours, at least 5
   * minutes) and whether it is quiet: no arrival for 3 usual gaps, or none in 24 hours. Reads
   * known keys only (BatchGetItem): 25 per source.
   */
  async activity(sources: readonly string[]): Promise<SourceActivity[]> {
    const now = this.#now();
    const hourStart = now - (now % HOUR_MS);
    const hours = Array.from({ length: 24 }, (_, index) => hourStart - index * HOUR_MS);
    const wanted = sources.flatMap((source) => [
      keys.arrivals(source),
      ...hours.map((hour) => keys.counts(source, hour)),
    ]);
    const items = await this.#getAll(wanted);
    return sources.map((source) => {
      const totals = { received: 0, duplicates: 0, refused: 0 };
      for (const hour of hours) {
        const item = items.get(keys.counts(source, hour));
        totals.received += Number(item?.received ?? 0);
        totals.duplicates += Number(item?.duplicates ?? 0);
        totals.refused += Number(item?.refused ?? 0);
      }
      const arrivals = items.get(keys.arrivals(source)) ?? {};
      const lastEventAt =
        typeof arrivals.lastEventAt === 'number' ? arrivals.lastEventAt : undefined;
      const sample = Object.entries(arrivals)
        .filter(([attribute]) => /^s\d+$/.test(attribute))
        .map(([, at]) => Number(at))
        .filter((at) => at > now - DAY_MS);
      return {
        source,
        received24h: totals.received,
        duplicates24h: totals.duplicates,
        refused24h: totals.refused,
        ...quietness(now, lastEventAt, usualGapMs(sample)),
      };
    });
  }

  async #getAll(pks: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    for (let start = 0; start < pks.length; start += 100) {
      let wanted = pks.slice(start, start + 100).map((pk) => ({ pk }));
      for (let attempt = 0; wanted.length > 0; attempt++) {
        if (attempt === 5) throw new Error(`${wanted.length} webhook counters not read`);
        const result = await this.#client.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: wanted } } }),
        );
        for (const item of result.Responses?.[this.#table] ?? []) found.set(String(item.pk), item);
        wanted = (result.UnprocessedKeys?.[this.#table]?.Keys ?? []) as typeof wanted;
      }
    }
    return found;
  }
}

/**
 * The median gap between consecutive arrivals, at least 5 minutes; undefined with fewer than two.
 *
 * @example
 * usualGapMs([0, 600_000, 1_200_000, 4_800_000]); // 600000
 */
export function usualGapMs(arrivals: readonly number[]): number | undefined {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((at, index) => at - (sorted[index] as number));
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  const middle = gaps.length >> 1;
  const median =
    gaps.length % 2 === 1
      ? (gaps[middle] as number)
      : ((gaps[middle - 1] as number) + (gaps[middle] as number)) / 2;
  return Math.max(MIN_USUAL_GAP_MS, median);
}

/**
 * Whether a source went quiet: nothing for longer than 3 usual gaps, or nothing in 24 hours (it is
 * configured, so something is expected). Without a usual gap (fewer than two arrivals in a day)
 * an arrival within the day is not quiet.
 *
 * @example
 * quietness(now, now - 40 * 60_000, 10 * 60_000); // { quiet: true, quietForSeconds: 2400, … }
 */
export function quietness(
  now: number,
  lastEventAt: number | undefined,
  usualGap: number | undefined,
): Pick<SourceActivity, 'lastEventAt' | 'usualGapSeconds' | 'quiet' | 'quietForSeconds'> {
  const since = lastEventAt === undefined ? undefined : now - lastEventAt;
  const quiet =
    since === undefined || since > DAY_MS || (usualGap !== undefined && since > 3 * usualGap);
  return {
    ...(lastEventAt === undefined ? {} : { lastEventAt: new Date(lastEventAt).toISOString() }),
    ...(usualGap === undefined ? {} : { usualGapSeconds: Math.round(usualGap / 1000) }),
    quiet,
    ...(quiet && since !== undefined ? { quietForSeconds: Math.round(since / 1000) } : {}),
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
