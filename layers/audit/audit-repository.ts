import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { auditTable } from './audit-table.ts';

export type AuditOutcome = 'success' | 'error';

/** One call, as the audit trail keeps it: who, what, when, why, and how it ended. */
export interface AuditRecord {
  requestId: string;
  at: Date;
  /** Caller's subject, or `anonymous` when authentication failed. */
  sub: string;
  roles: readonly string[];
  /** Tool name, or the route for non-tool calls (e.g. `GET /tools`). */
  tool: string;
  /** Input with secrets and the tool's marked fields already redacted. */
  input?: unknown;
  /** From `X-Agent-Reason`. */
  reason?: string;
  conversationId?: string;
  outcome: AuditOutcome;
  statusCode: number;
  errorCode?: string;
  durationMs: number;
}

export interface AuditRepository {
  put(record: AuditRecord): Promise<void>;
}

/**
 * Audit trail in DynamoDB, one item per call, expiring after `retentionDays`.
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
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          [auditTable.partitionKey]: `CALLER#${record.sub}`,
          [auditTable.sortKey]: `${at}#${record.requestId}`,
          ...record,
          at,
          input: record.input === undefined ? undefined : JSON.stringify(record.input),
          [auditTable.timeToLiveAttribute]:
            Math.floor(record.at.getTime() / 1000) + this.#retentionSeconds,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': auditTable.partitionKey },
      }),
    );
  }
}
