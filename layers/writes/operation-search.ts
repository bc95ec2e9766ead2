import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type PagedAnswer, pagedQuery, type QueryPlan } from '../aws/paged-query.ts';
import { keyAttributesOf } from '../aws/table-keys.ts';
import { type Operation, type OperationStatus, operationFromItem } from './operation-store.ts';
import { LISTED_OPERATION, operationsTable } from './operations-table.ts';

/** The filters of GET /operations, after validation (times as `toISOString()`). */
export interface OperationFilters {
  status?: OperationStatus | undefined;
  tool?: string | undefined;
  owner?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * The Query that answers the filters, newest first: the most selective key among owner, status
 * and tool (in that order) or, with none of them, every operation by time; the other filters
 * become a FilterExpression, the time range the sort-key bounds.
 *
 * @example
 * planOperationSearch({ owner: 'ana', status: 'failed' }); // byOwner index, filter status = failed
 */
export function planOperationSearch(filters: OperationFilters): QueryPlan {
  const equal: [keyof OperationFilters, string | undefined][] = [
    ['owner', filters.owner],
    ['status', filters.status],
    ['tool', filters.tool],
  ];
  const key = equal.find(([, value]) => value !== undefined);
  const index = key
    ? {
        owner: operationsTable.byOwnerIndex,
        status: operationsTable.byStatusIndex,
        tool: operationsTable.byToolIndex,
      }[key[0] as 'owner' | 'status' | 'tool']
    : operationsTable.byCreatedIndex;
  return {
    index: index.name,
    partitionKey: index.partitionKey,
    partitions: [key ? (key[1] as string) : LISTED_OPERATION],
    sortKey: index.sortKey,
    ...(filters.from ? { sortFrom: filters.from } : {}),
    ...(filters.to ? { sortTo: filters.to } : {}),
    filters: Object.fromEntries(
      equal.filter(
        (entry): entry is [keyof OperationFilters, string] =>
          entry !== key && entry[1] !== undefined,
      ),
    ),
    forward: false,
    keyAttributes: keyAttributesOf([operationsTable.partitionKey], index),
  };
}

/**
 * GET /operations over the operations table's indexes, never a Scan.
 *
 * @example
 * const search = new OperationSearch({ client, tableName });
 * const { operations, cursor } = await search.list({ status: 'failed' }, { limit: 25 });
 */
export class OperationSearch {
  readonly #client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly #table: string;

  constructor(options: { client: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async list(
    filters: OperationFilters,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ operations: Operation[]; cursor?: string }> {
    const answer: PagedAnswer = await pagedQuery(
      this.#client,
      this.#table,
      planOperationSearch(filters),
      page,
    );
    return {
      operations: answer.items.map(operationFromItem),
      ...(answer.cursor ? { cursor: answer.cursor } : {}),
    };
  }
}
