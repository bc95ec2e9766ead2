import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CanonicalEvent } from './events.ts';

const isConditionFailure = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException';

/**
 * Receipts of webhook events, for de-duplication at the door: a conditional write per event id,
 * kept longer than any sender retries (Stripe: 3 days).
 *
 * @example
 * if (await receipts.claim(event.id)) await queue.send([event]);
 */
export class WebhookReceipts {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlSeconds: number;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; ttlSeconds?: number }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#ttlSeconds = options.ttlSeconds ?? 4 * 86_400;
  }

  /** True when this is the first time the event arrives; false for a redelivery. */
  async claim(eventId: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: `receipt#${eventId}`,
            receivedAt: new Date().toISOString(),
            ttl: Math.floor(Date.now() / 1000) + this.#ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Forgets a claim whose event could not be queued, so that the sender's retry is accepted. */
  async release(eventId: string): Promise<void> {
    await this.#client.send(
      new DeleteCommand({ TableName: this.#table, Key: { pk: `receipt#${eventId}` } }),
    );
  }
}

/**
 * The event log: every canonical event once, with when it was processed, expiring after the
 * retention. Processing is exactly once per event even when the queue redelivers.
 */
export class EventLog {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #retentionSeconds: number;
  readonly #now: () => number;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    retentionDays?: number;
    /** The current time in epoch milliseconds, for the processing lease. @default Date.now */
    now?: () => number;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#retentionSeconds = (options.retentionDays ?? 30) * 86_400;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records the event unless it is there, and takes it for processing for `leaseSeconds`; answers
   * false when it was processed already or another worker holds it (that worker's own message
   * comes back if it fails, and takes it then).
   */
  async begin(event: CanonicalEvent, leaseSeconds = 60): Promise<boolean> {
    const now = this.#now();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: `event#${event.id}`,
            event: JSON.stringify(event),
            source: event.source,
            loggedAt: new Date(now).toISOString(),
            processingUntil: now + leaseSeconds * 1000,
            ttl: Math.floor(now / 1000) + this.#retentionSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `event#${event.id}` },
          UpdateExpression: 'SET processingUntil = :until',
          ConditionExpression: 'attribute_not_exists(processedAt) AND processingUntil < :now',
          ExpressionAttributeValues: { ':until': now + leaseSeconds * 1000, ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Marks the event processed, counting how often that happened (once, unless something is wrong). */
  async finish(eventId: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `event#${eventId}` },
        UpdateExpression: 'SET processedAt = :now ADD processedCount :one',
        ExpressionAttributeValues: { ':now': new Date().toISOString(), ':one': 1 },
      }),
    );
  }
}

/** The SQS queue between the webhook endpoint and the event worker. */
export class EventsQueue {
  readonly #client: SQSClient;
  readonly #url: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#url = options.queueUrl;
  }

  /** Sends events in batches of 10; throws when any could not be queued, naming them. */
  async send(events: readonly CanonicalEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += 10) {
      const batch = events.slice(start, start + 10);
      const result = await this.#client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#url,
          Entries: batch.map((event, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(event),
          })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        const failed = result.Failed.map((entry) => batch[Number(entry.Id)]?.id).join(', ');
        throw new Error(`events not queued: ${failed}`);
      }
    }
  }
}
