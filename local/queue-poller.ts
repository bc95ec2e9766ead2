import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type LambdaHandler, lambdaContext } from './api-gateway.ts';

/**
 * Local stand-in for a Lambda event source mapping: long-polls an SQS queue and invokes the
 * handler with batches, deleting what succeeded and leaving reported failures to come back after
 * the visibility timeout (and reach the DLQ after maxReceiveCount), as on AWS.
 */
export function pollQueue(options: {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** The function the queue's event source mapping invokes (its Lambda context's name). */
  functionName: string;
  handler: () => Promise<LambdaHandler>;
  onError?: (error: unknown) => void;
}): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { Messages = [] } = await options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
        );
        if (!running || Messages.length === 0) continue;
        const event: SQSEvent = {
          Records: Messages.map((message) => ({
            messageId: message.MessageId ?? '',
            receiptHandle: message.ReceiptHandle ?? '',
            body: message.Body ?? '',
            attributes: {
              ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
              SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
              SenderId: 'local',
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: message.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: options.queueArn,
            awsRegion: 'us-east-1',
          })),
        };
        const handler = await options.handler();
        const response = (await handler(
          event as never,
          lambdaContext(options.functionName),
        )) as unknown as SQSBatchResponse | undefined;
        const failed = new Set(
          (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier),
        );
        const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
        if (done.length > 0) {
          await options.client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.ReceiptHandle ?? '',
              })),
            }),
          );
        }
      } catch (error) {
        if (running) {
          options.onError?.(error);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
