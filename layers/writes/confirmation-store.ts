import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
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
  policyVersion: string;
  preview: WritePreview;
  status: ConfirmationStatus;
  createdAt: string;
  expiresAt: string;
  operationId?: string;
  confirmedBy?: string;
}

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
  /** pending → confirmed, only while not expired; false when the condition fails. */
  confirm(id: string, operationId: string, confirmedBy: string, now: Date): Promise<boolean>;
  /** pending → cancelled; false when it is not pending. */
  cancel(id: string): Promise<boolean>;
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
    if (!Item) return undefined;
    const { pk: _pk, ttl: _ttl, input, preview, ...rest } = Item;
    return {
      ...(rest as Omit<Confirmation, 'input' | 'preview'>),
      input: JSON.parse(input as string),
      preview: JSON.parse(preview as string),
    };
  }

  async create(confirmation: Confirmation): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `confirmation#${confirmation.id}`,
          ...confirmation,
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

  async confirm(id: string, operationId: string, confirmedBy: string, now: Date): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `confirmation#${id}` },
          UpdateExpression:
            'SET #status = :confirmed, operationId = :op, confirmedBy = :by, confirmedAt = :now',
          ConditionExpression: '#status = :pending AND expiresAt > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':confirmed': 'confirmed',
            ':pending': 'pending',
            ':op': operationId,
            ':by': confirmedBy,
            ':now': now.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async cancel(id: string): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `confirmation#${id}` },
          UpdateExpression: 'SET #status = :cancelled',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled', ':pending': 'pending' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
