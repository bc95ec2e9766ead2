import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** The message a confirmed write puts on the write queue. */
export interface WriteMessage {
  operationId: string;
  tool: string;
}

export interface WriteQueue {
  send(message: WriteMessage): Promise<void>;
}

/**
 * The SQS write queue. Sending twice is harmless: the worker starts the saga with the operation
 * id as execution name, so a second start is a no-op.
 */
export class SqsWriteQueue implements WriteQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async send(message: WriteMessage): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}
