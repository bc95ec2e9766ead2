import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_QUERY_BUDGET, pagedQuery, type QueryPlan } from '../aws/paged-query.ts';
import { keyAttributesOf } from '../aws/table-keys.ts';
import { auditIdTime } from './audit-id.ts';
import type { AuditOutcome, AuditRecord } from './audit-repository.ts';
import { auditTable, dayPartition } from './audit-table.ts';

/** The filters of GET /audit, after validation (times as `toISOString()`). */
export interface AuditFilters {
  sub?: string | undefined;
  tool?: string | undefined;
  outcome?: AuditOutcome | undefined;
  conversationId?: string | undefined;
  requestId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Default: `asc` for a conversation (in the order the agent called), else `desc`. */
  order?: 'asc' | 'desc' | undefined;
}

/** One audit record as GET /audit answers it: its id, times as text, input parsed back. */
export type AuditRecordView = Omit<AuditRecord, 'at' | 'roles'> & {
  auditId: string;
  at: string;
  roles: string[];
};

const DAY_MS = 86_400_000;
/** Queries one answer may spend walking the day index (a year of quiet days takes four pages). */
const DAY_WALK_QUERY_BUDGET = 100;

/** The days from `to` back to `from` (or forward, oldest first), as day-index partitions. */
function daysBetween(from: string, to: string, forward: boolean): string[] {
  const days: string[] = [];
  const first = Date.parse(`${from.slice(0, 10)}T00:00:00.000Z`);
  for (let day = Date.parse(`${to.slice(0, 10)}T00:00:00.000Z`); day >= first; day -= DAY_MS)
    days.push(dayPartition(new Date(day)));
  return forward ? days.reverse() : days;
}

/**
 * The Query that answers the filters: the most selective key among request id, conversation,
 * caller and tool (in that order) or, with none of them, the day index walked over the time range
 * (`to`, default now, back to `from`, default the retention period); the other filters become a
 * FilterExpression and the time range the sort-key bounds (`sk` starts with the record's time).
 *
 * @example
 * planAuditSearch({ sub: 'ana', outcome: 'error' }, { now: new Date(), retentionDays: 365 }); // pk CALLER#ana, filter outcome
 */
export function planAuditSearch(
  filters: AuditFilters,
  options: { now: Date; retentionDays: number },
): QueryPlan {
  const equal: [string, string | undefined][] = [
    ['requestId', filters.requestId],
    ['conversationId', filters.conversationId],
    ['sub', filters.sub],
    ['tool', filters.tool],
    ['outcome', filters.outcome],
  ];
  const key = equal.slice(0, 4).find(([, value]) => value !== undefined);
  const forward = (filters.order ?? (filters.conversationId ? 'asc' : 'desc')) === 'asc';
  const index =
    key === undefined
      ? auditTable.byDayIndex
      : key[0] === 'requestId'
        ? auditTable.byRequestIndex
        : key[0] === 'conversationId'
          ? auditTable.byConversationIndex
          : key[0] === 'tool'
            ? auditTable.byToolIndex
            : undefined;
  const tableKey = [auditTable.partitionKey, auditTable.sortKey];
  const partitions =
    key === undefined
      ? daysBetween(
          filters.from ??
            new Date(options.now.getTime() - options.retentionDays * DAY_MS).toISOString(),
          filters.to ?? options.now.toISOString(),
          forward,
        )
      : [key[0] === 'sub' ? `CALLER#${key[1]}` : (key[1] as string)];
  return {
    ...(index ? { index: index.name } : {}),
    partitionKey: index?.partitionKey ?? auditTable.partitionKey,
    partitions,
    sortKey: auditTable.sortKey,
    ...(filters.from ? { sortFrom: filters.from } : {}),
    // `sk` is `<at>#<auditId>`: `~` sorts after every id character, so `to` is inclusive.
    ...(filters.to ? { sortTo: `${filters.to}#~` } : {}),
    filters: Object.fromEntries(
      equal.filter((entry): entry is [string, string] => entry !== key && entry[1] !== undefined),
    ),
    forward,
    keyAttributes: keyAttributesOf(tableKey, index),
  };
}

/** A stored record as the API answers it: keys dropped, input parsed back from its JSON text. */
export function auditRecordView(item: Record<string, unknown>): AuditRecordView {
  const optional = (name: string) => (item[name] === undefined ? {} : { [name]: item[name] });
  return {
    auditId: item.auditId as string,
    requestId: item.requestId as string,
    at: item.at as string,
    sub: item.sub as string,
    roles: (item.roles as string[] | undefined) ?? [],
    ...optional('clientId'),
    tool: item.tool as string,
    ...(typeof item.input === 'string' ? { input: JSON.parse(item.input) } : {}),
    ...optional('reason'),
    ...optional('conversationId'),
    outcome: item.outcome as AuditOutcome,
    statusCode: item.statusCode as number,
    ...optional('errorCode'),
    ...optional('errorMessage'),
    durationMs: item.durationMs as number,
    ...optional('upstream'),
  };
}

/**
 * GET /audit and GET /audit/{auditId} over the audit table's key and indexes, never a Scan.
 *
 * @example
 * const search = new AuditSearch({ client, tableName, retentionDays: 365 });
 * const { records, cursor } = await search.search({ conversationId: 'conv-1' }, { limit: 25 });
 */
export class AuditSearch {
  readonly #client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly #table: string;
  readonly #retentionDays: number;
  readonly #now: () => Date;

  constructor(options: {
    client: Pick<DynamoDBDocumentClient, 'send'>;
    tableName: string;
    retentionDays: number;
    now?: () => Date;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#retentionDays = options.retentionDays;
    this.#now = options.now ?? (() => new Date());
  }

  async search(
    filters: AuditFilters,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ records: AuditRecordView[]; cursor?: string }> {
    const plan = planAuditSearch(filters, { now: this.#now(), retentionDays: this.#retentionDays });
    // A walk over days may meet many quiet ones: each costs one small Query.
    const budget = plan.partitions.length > 1 ? DAY_WALK_QUERY_BUDGET : DEFAULT_QUERY_BUDGET;
    const answer = await pagedQuery(this.#client, this.#table, plan, { ...page, budget });
    return {
      records: answer.items.map(auditRecordView),
      ...(answer.cursor ? { cursor: answer.cursor } : {}),
    };
  }

  /**
   * One record by its id: the id holds the record's time (audit-id.ts), so one Query of the day
   * index on the exact sort key finds it; undefined if none.
   */
  async get(auditId: string): Promise<AuditRecordView | undefined> {
    const at = auditIdTime(auditId);
    if (!at) return undefined;
    const { name, partitionKey } = auditTable.byDayIndex;
    const { Items = [] } = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: name,
        KeyConditionExpression: '#day = :day AND #sk = :sk',
        ExpressionAttributeNames: { '#day': partitionKey, '#sk': auditTable.sortKey },
        ExpressionAttributeValues: {
          ':day': dayPartition(at),
          ':sk': `${at.toISOString()}#${auditId}`,
        },
        Limit: 1,
      }),
    );
    const [item] = Items;
    return item ? auditRecordView(item) : undefined;
  }
}
