import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalJson } from '../digest/input-digest.ts';
import { InvalidQueryError } from '../errors/index.ts';

/**
 * A list request as DynamoDB Queries: one key (the table's or an index's), the partitions to walk
 * in order (usually one; the days of a time range for an index partitioned by day), inclusive
 * sort-key bounds, and equality filters on other attributes (a FilterExpression). Never a Scan.
 */
export interface QueryPlan {
  /** The index to query; absent: the table's own key. */
  readonly index?: string;
  readonly partitionKey: string;
  /** Partition values, walked in this order; a cursor names the one it stopped in. */
  readonly partitions: readonly string[];
  readonly sortKey: string;
  /** Inclusive bounds of the sort key (ISO times sort as text). */
  readonly sortFrom?: string;
  readonly sortTo?: string;
  /** Attribute = value conditions applied after the key (they cost reads, not answers). */
  readonly filters: Readonly<Record<string, string>>;
  /** true: oldest first (ascending sort key); false: newest first. */
  readonly forward: boolean;
  /** The attributes of a key on this index (the table's key and the index's): a cursor's shape. */
  readonly keyAttributes: readonly string[];
}

export interface PagedAnswer {
  readonly items: Record<string, unknown>[];
  /** Where the next page starts; absent when nothing is left. */
  readonly cursor?: string;
}

/** Queries one request may send before it answers what it has with a cursor. */
export const DEFAULT_QUERY_BUDGET = 25;
/** Items read per Query when a FilterExpression drops some: fewer round trips for sparse matches. */
const FILTERED_PAGE_SIZE = 200;
const MAX_CURSOR_LENGTH = 4096;

type Position = { partition: string; key?: Record<string, string> };

/**
 * What a cursor was made for: the plan without its partition list (a walk over days that grows
 * at midnight keeps its cursors valid).
 */
function scopeOf(plan: QueryPlan): string {
  const { partitions: _partitions, ...rest } = plan;
  return createHash('sha256').update(canonicalJson(rest)).digest('base64url').slice(0, 22);
}

const badCursor = (why: string) =>
  new InvalidQueryError(
    'invalid_cursor',
    `The cursor is not valid here (${why}). Pass the cursor of the previous answer unchanged, with the same filters; leave it out to start from the first page.`,
    [{ path: 'cursor', message: why }],
  );

/**
 * Encodes where a walk stopped as an opaque base64url string bound to the plan's filters.
 *
 * @example
 * const cursor = encodeCursor(plan, { partition: 'CALLER#ana', key: { pk: 'CALLER#ana', sk: '2026-…' } });
 */
export function encodeCursor(plan: QueryPlan, position: Position): string {
  return Buffer.from(
    JSON.stringify({ s: scopeOf(plan), p: position.partition, k: position.key }),
  ).toString('base64url');
}

/**
 * Decodes a cursor made by `encodeCursor` for this plan: 400 `invalid_cursor` when it does not
 * decode, was made for other filters, or names a key that is not one of this index's.
 *
 * @example
 * const { partition, key } = decodeCursor(plan, query.cursor);
 */
export function decodeCursor(plan: QueryPlan, cursor: string): Position {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw badCursor('it is not a base64url string of a cursor');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('it does not decode');
  }
  if (decoded === null || typeof decoded !== 'object') throw badCursor('it does not decode');
  const { s, p, k } = decoded as { s?: unknown; p?: unknown; k?: unknown };
  if (s !== scopeOf(plan)) throw badCursor('it was made for other filters');
  if (typeof p !== 'string' || !plan.partitions.includes(p))
    throw badCursor('it was made for other filters');
  if (k === undefined) return { partition: p };
  if (k === null || typeof k !== 'object') throw badCursor('its position does not decode');
  const entries = Object.entries(k as Record<string, unknown>);
  const expected = new Set(plan.keyAttributes);
  const shaped =
    entries.length === expected.size &&
    entries.every(([name, value]) => expected.has(name) && typeof value === 'string') &&
    (k as Record<string, unknown>)[plan.partitionKey] === p;
  if (!shaped) throw badCursor('its position does not decode');
  return { partition: p, key: k as Record<string, string> };
}

const keyOf = (plan: QueryPlan, item: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(plan.keyAttributes.map((name) => [name, String(item[name])]));

function queryInput(tableName: string, plan: QueryPlan, partition: string) {
  const names: Record<string, string> = { '#pk': plan.partitionKey };
  const values: Record<string, unknown> = { ':pk': partition };
  let condition = '#pk = :pk';
  const { sortFrom, sortTo } = plan;
  if (sortFrom !== undefined || sortTo !== undefined) names['#sk'] = plan.sortKey;
  if (sortFrom !== undefined) values[':from'] = sortFrom;
  if (sortTo !== undefined) values[':to'] = sortTo;
  if (sortFrom !== undefined && sortTo !== undefined) condition += ' AND #sk BETWEEN :from AND :to';
  else if (sortFrom !== undefined) condition += ' AND #sk >= :from';
  else if (sortTo !== undefined) condition += ' AND #sk <= :to';
  const filters = Object.entries(plan.filters).map(([name, value], index) => {
    names[`#f${index}`] = name;
    values[`:f${index}`] = value;
    return `#f${index} = :f${index}`;
  });
  return {
    TableName: tableName,
    ...(plan.index ? { IndexName: plan.index } : {}),
    KeyConditionExpression: condition,
    ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: plan.forward,
  };
}

/**
 * Runs a plan from a cursor until `limit` items, the end, or the query budget: an answer with
 * fewer than `limit` items and a cursor means more may follow (the budget ran out first).
 *
 * @example
 * const { items, cursor } = await pagedQuery(client, tableName, plan, { limit: 25, cursor: query.cursor });
 */
export async function pagedQuery(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
  plan: QueryPlan,
  options: { limit: number; cursor?: string | undefined; budget?: number },
): Promise<PagedAnswer> {
  const start = options.cursor ? decodeCursor(plan, options.cursor) : undefined;
  let index = start ? plan.partitions.indexOf(start.partition) : 0;
  let key: Record<string, unknown> | undefined = start?.key;
  const budget = options.budget ?? DEFAULT_QUERY_BUDGET;
  const filtered = Object.keys(plan.filters).length > 0;
  const items: Record<string, unknown>[] = [];
  const at = (partition: number, position?: Record<string, unknown>) =>
    partition < plan.partitions.length
      ? encodeCursor(plan, {
          partition: plan.partitions[partition] as string,
          ...(position ? { key: keyOf(plan, position) } : {}),
        })
      : undefined;
  for (let queries = 0; index < plan.partitions.length; queries++) {
    if (queries >= budget) return { items, cursor: at(index, key) as string };
    const remaining = options.limit - items.length;
    const answer = await client.send(
      new QueryCommand({
        ...queryInput(tableName, plan, plan.partitions[index] as string),
        ...(key ? { ExclusiveStartKey: key } : {}),
        Limit: filtered ? Math.max(remaining, FILTERED_PAGE_SIZE) : remaining,
      }),
    );
    const page = answer.Items ?? [];
    if (page.length > remaining) {
      // A filtered page can hold more than is asked: the cursor points after the last one kept.
      const kept = page.slice(0, remaining);
      items.push(...kept);
      return { items, cursor: at(index, kept.at(-1)) as string };
    }
    items.push(...page);
    if (answer.LastEvaluatedKey) key = answer.LastEvaluatedKey;
    else {
      index++;
      key = undefined;
    }
    if (items.length >= options.limit) {
      const cursor = at(index, key);
      return cursor ? { items, cursor } : { items };
    }
  }
  return { items };
}
