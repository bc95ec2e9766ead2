import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { UpstreamCall } from '../connectors/upstream-calls.ts';
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

export interface AuditRepository {
  put(record: AuditRecord): Promise<void>;
}

/**
 * Audit trail in DynamoDB, one item per call, expiring after `retentionDays`. Each record's key
 * holds an id of its own, so records never overwrite each other, whatever request ids callers
 * send; the SDK retries transient failures.
 *
 * @example
 * const audit = new DynamoAuditRepository({ client: documentClient, tableName, retentionDays: 365 });
 */
export class DynamoAuditRepository implements AuditRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionSeconds: number;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    retentionDays: number;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionSeconds = options.retentionDays * 86_400;
  }

  async put(record: AuditRecord): Promise<void> {
    const at = record.at.toISOString();
    const auditId = randomUUID();
    try {
      await this.#send(record, at, auditId);
    } catch (error) {
      // The key is ours alone: a condition failure means a retried attempt found its own write.
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }

  async #send(record: AuditRecord, at: string, auditId: string): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: auditItem(record, { at, auditId, retentionSeconds: this.#retentionSeconds }),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': auditTable.partitionKey },
      }),
    );
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
