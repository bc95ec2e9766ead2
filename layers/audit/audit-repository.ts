import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UpstreamCall } from '../connectors/upstream-calls.ts';
import type { AuditLine } from './audit-log.ts';
import { auditTable, dayPartition } from './audit-table.ts';

export type AuditOutcome = 'success' | 'error';

/** One call, as the audit trail keeps it: who, what, when, why, and how it ended. */
export interface AuditRecord {
  /** The call's request id (the caller's `X-Request-Id` when well formed): not unique. */
  requestId: string;
  at: Date;
  /** Caller's subject, or `anonymous` when authentication failed. */
  sub: string;
  roles: readonly string[];
  /** The OIDC client the caller's token was issued to: the console (a person) or an agent. */
  clientId?: string;
  /** Tool name (as requested, also when unknown or refused), or the route for non-tool calls. */
  tool: string;
  /** Input with secrets and the tool's marked fields already redacted. */
  input?: unknown;
  /** From `X-Agent-Reason`. */
  reason?: string;
  conversationId?: string;
  outcome: AuditOutcome;
  statusCode: number;
  errorCode?: string;
  /** Why the call was refused or failed, as the caller was told. */
  errorMessage?: string;
  durationMs: number;
  /** The calls the tool made to business systems, with the systems' own request ids. */
  upstream?: UpstreamCall[];
}

/** How many tries a batch gets before the ingest gives up and throws (the platform retries it). */
const MAX_ATTEMPTS = 6;
/** BatchWriteItem takes at most 25 requests. */
const BATCH_SIZE = 25;

/**
 * Audit trail in DynamoDB, one item per call, expiring after `retentionDays`, written in batches
 * by the audit ingest (functions/audit/ingest). Each item's key holds the id the call made for
 * its line, so a redelivered line overwrites its own item and records never overwrite each other,
 * whatever request ids callers send. BatchWriteItem has no conditions; the key makes that safe.
 * Unprocessed items are sent again with growing pauses; after `maxAttempts` tries, it throws.
 *
 * @example
 * const audit = new DynamoAuditTable({ client: documentClient, tableName, retentionDays: 365 });
 * await audit.putAll([{ auditId, record }]);
 */
export class DynamoAuditTable {
  readonly #client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly #tableName: string;
  readonly #retentionSeconds: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #maxAttempts: number;

  constructor(options: {
    client: Pick<DynamoDBDocumentClient, 'send'>;
    tableName: string;
    retentionDays: number;
    /** @default a timer */
    sleep?: (ms: number) => Promise<void>;
    /** @default 6 */
    maxAttempts?: number;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionSeconds = options.retentionDays * 86_400;
    this.#sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
    this.#maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  }

  async putAll(lines: readonly AuditLine[]): Promise<void> {
    // One request per item: a line delivered twice in one batch would make BatchWriteItem refuse it.
    const byId = new Map(lines.map((line) => [line.auditId, line]));
    const items = [...byId.values()].map(({ record, auditId }) =>
      auditItem(record, {
        at: record.at.toISOString(),
        auditId,
        retentionSeconds: this.#retentionSeconds,
      }),
    );
    for (let index = 0; index < items.length; index += BATCH_SIZE)
      await this.#write(items.slice(index, index + BATCH_SIZE));
  }

  async #write(items: Record<string, unknown>[]): Promise<void> {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; ; attempt++) {
      const answer = await this.#client.send(
        new BatchWriteCommand({ RequestItems: { [this.#tableName]: pending } }),
      );
      pending = (answer.UnprocessedItems?.[this.#tableName] ?? []) as typeof pending;
      if (pending.length === 0) return;
      if (attempt >= this.#maxAttempts)
        throw new Error(
          `audit ingest: ${pending.length} records still unprocessed after ${attempt} tries`,
        );
      // Full jitter over a doubling ceiling (50 ms, 100 ms, …), as AWS advises for throttling.
      await this.#sleep(Math.random() * 50 * 2 ** (attempt - 1));
    }
  }
}

/**
 * A record as the audit table stores it: its keys (caller and time, the day index's partition),
 * the input as JSON text and the expiry. Exported for tools that load records in bulk (the bench).
 *
 * @example
 * const item = auditItem(record, { at: record.at.toISOString(), auditId: randomUUID(), retentionSeconds: 86_400 });
 */
export function auditItem(
  record: AuditRecord,
  options: { at: string; auditId: string; retentionSeconds: number },
): Record<string, unknown> {
  const { at, auditId } = options;
  return {
    [auditTable.partitionKey]: `CALLER#${record.sub}`,
    [auditTable.sortKey]: `${at}#${auditId}`,
    auditId,
    // The day index (an auditor's search of everyone's records by time).
    [auditTable.byDayIndex.partitionKey]: dayPartition(at),
    ...record,
    at,
    input: record.input === undefined ? undefined : JSON.stringify(record.input),
    [auditTable.timeToLiveAttribute]:
      Math.floor(record.at.getTime() / 1000) + options.retentionSeconds,
  };
}
