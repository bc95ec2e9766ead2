import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalMode } from '#local/start-local.ts';

/**
 * Whether one of local mode's queues holds no message, visible or in flight. Its consumer deletes
 * a message once the handler has returned, so a drained queue means every handler it fed is done.
 *
 * @example
 * await eventually('the events queue to drain', async () =>
 *   (await isDrained(local, local.queues.events)) || undefined,
 * );
 */
export async function isDrained(
  local: Pick<LocalMode, 'emulators'>,
  queueUrl: string,
): Promise<boolean> {
  const sqs = new SQSClient({
    endpoint: local.emulators.sqs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Attributes?.ApproximateNumberOfMessages === '0' &&
      Attributes.ApproximateNumberOfMessagesNotVisible === '0'
    );
  } finally {
    sqs.destroy();
  }
}
