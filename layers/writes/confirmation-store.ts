import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { WritePreview } from '../tools/define.ts';

export type ConfirmationStatus = 'pending' | 'confirmed' | 'cancelled';

/** A proposed write waiting for a person to confirm it, bound to caller, tool, input and policy. */
export interface Confirmation {
  id: string;
  tool: string;
  /** Who proposed it. */
  sub: string;
  /** The proposer's roles when proposing: the saga's steps decide by them (e.g. allowed senders). */
  roles?: readonly string[];
  input: unknown;
  inputDigest: string;
  /** The policy version it was proposed under. */
  policyVersion: string;
  /** The policy version it was confirmed under, when another than `policyVersion`. */
  confirmedPolicyVersion?: string;
  preview: WritePreview;
  /**
   * The facts the argument rules read when it was proposed (e.g. a customer's contact addresses):
   * a confirmation under another policy version decides again from them.
   */
  facts?: Readonly<Record<string, unknown>>;
  /** Raised above the tool's own by an argument rule (infra/policy/*.cedar), e.g. a large order. */
  confirmBy?: 'approver';
  status: ConfirmationStatus;
  createdAt: string;
  expiresAt: string;
  operationId?: string;
  confirmedBy?: string;
  /** `X-Agent-Reason` of the proposal: why the agent asks (untrusted text). */
  reason?: string;
  conversationId?: string;
  /** Who cancelled it (the proposer withdrawing, or an approver rejecting) and why. */
  cancelledBy?: string;
  cancelReason?: string;
}

/**
 * The confirmations table's one index: pending confirmations only (a sparse index: the `waiting`
 * attribute is removed when one is decided), newest first, for the approval inbox.
 */
export const confirmationsTable = {
  partitionKey: 'pk',
  pendingIndex: { name: 'pending', partitionKey: 'waiting', sortKey: 'createdAt' },
} as const;

export interface ConfirmationStore {
  get(id: string): Promise<Confirmation | undefined>;
  create(confirmation: Confirmation): Promise<void>;
  /** Remembers which confirmation an `Idempotency-Key` produced; returns the existing one if taken. */
  claimIdempotencyKey(
    key: string,
    value: { confirmationId: string; inputDigest: string },
    expiresAt: Date,
  ): Promise<{ confirmationId: string; inputDigest: string } | undefined>;
  findByIdempotencyKey(
    key: string,
  ): Promise<{ confirmationId: string; inputDigest: string } | undefined>;
  /**
   * pending → confirmed, only while not expired; false when the condition fails. `policyVersion`:
   * the version it is confirmed under, kept when it differs from the proposal's.
   */
  confirm(
    id: string,
    operationId: string,
    confirmedBy: string,
    now: Date,
    policyVersion?: string,
  ): Promise<boolean>;
  /** pending → cancelled, with who and why; false when it is not pending. */
  cancel(id: string, by?: { sub: string; reason?: string | undefined }): Promise<boolean>;
  /** Pending confirmations, newest first (expired ones included: the caller filters). */
  listPending(limit: number): Promise<Confirmation[]>;
}

/** A stored item as a confirmation: input and preview are kept as JSON text. */
function fromItem(item: Record<string, unknown>): Confirmation {
  const { pk: _pk, ttl: _ttl, waiting: _waiting, input, preview, ...rest } = item;
  return {
    ...(rest as Omit<Confirmation, 'input' | 'preview'>),
    input: JSON.parse(input as string),
    preview: JSON.parse(preview as string),
  };
}

/** Items stay readable this long after expiry, so a late confirmation gets 410 rather than 404. */
const RETENTION_SECONDS = 7 * 86_400;
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error).name === 'ConditionalCheckFailedException';

/**
 * Confirmations in DynamoDB (`pk` = `confirmation#<id>` or `idempotency#<key>`), expiring by TTL.
 *
 * @example
 * const store = new DynamoConfirmationStore({ client, tableName });
 */
export class DynamoConfirmationStore implements ConfirmationStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async get(id: string): Promise<Confirmation | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `confirmation#${id}` },
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async listPending(limit: number): Promise<Confirmation[]> {
    const { name, partitionKey } = confirmationsTable.pendingIndex;
    const { Items = [] } = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: name,
        KeyConditionExpression: '#waiting = :pending',
        ExpressionAttributeNames: { '#waiting': partitionKey },
        ExpressionAttributeValues: { ':pending': 'pending' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(fromItem);
  }

  async create(confirmation: Confirmation): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `confirmation#${confirmation.id}`,
          ...confirmation,
          ...(confirmation.status === 'pending'
            ? { [confirmationsTable.pendingIndex.partitionKey]: 'pending' }
            : {}),
          input: JSON.stringify(confirmation.input),
          preview: JSON.stringify(confirmation.preview),
          ttl: epoch(new Date(confirmation.expiresAt)) + RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findByIdempotencyKey(key: string) {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `idempotency#${key}` },
        ConsistentRead: true,
      }),
    );
    return Item
      ? { confirmationId: Item.confirmationId as string, inputDigest: Item.inputDigest as string }
      : undefined;
  }

  async claimIdempotencyKey(
    key: string,
    value: { confirmationId: string; inputDigest: string },
    expiresAt: Date,
  ) {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: `idempotency#${key}`, ...value, ttl: epoch(expiresAt) + RETENTION_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.findByIdempotencyKey(key);
    }
  }

  async confirm(
    id: string,
    operationId: string,
    confirmedBy: string,
    now: Date,
    policyVersion?: string,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `confirmation#${id}` },
          UpdateExpression: `SET #status = :confirmed, operationId = :op, confirmedBy = :by, confirmedAt = :now${policyVersion ? ', confirmedPolicyVersion = :version' : ''} REMOVE waiting`,
          ConditionExpression: '#status = :pending AND expiresAt > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':confirmed': 'confirmed',
            ':pending': 'pending',
            ':op': operationId,
            ':by': confirmedBy,
            ':now': now.toISOString(),
            ...(policyVersion ? { ':version': policyVersion } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async cancel(id: string, by?: { sub: string; reason?: string | undefined }): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `confirmation#${id}` },
          UpdateExpression: `SET #status = :cancelled${by ? ', cancelledBy = :by' : ''}${by?.reason ? ', cancelReason = :reason' : ''} REMOVE waiting`,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':pending': 'pending',
            ...(by ? { ':by': by.sub } : {}),
            ...(by?.reason ? { ':reason': by.reason } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
