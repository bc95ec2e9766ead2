import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SNSEvent, SNSEventRecord, SNSMessageAttributes } from 'aws-lambda';
import { type LambdaHandler, lambdaContext, portOf } from './api-gateway.ts';

/** A function subscribed to a local topic, as SNS → Lambda subscriptions invoke them on AWS. */
export interface LocalTopicSubscriber {
  readonly functionName: string;
  readonly handler: () => Promise<LambdaHandler>;
}

export interface LocalTopics {
  /** What `AWS_ENDPOINT_URL_SNS` points the SNS client at. */
  readonly endpoint: string;
  /** Each topic's ARN, by name. */
  readonly arns: Readonly<Record<string, string>>;
  /** Resolves once every delivery started so far has ended. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The local ARN of a topic. */
export const localTopicArn = (name: string) =>
  `arn:aws:sns:us-east-1:000000000000:toolgate-local-${name}`;

/**
 * One SNS message as Lambda receives it from a subscription (one record per invocation).
 *
 * @example
 * const event = { Records: [snsRecord({ topicArn, message: JSON.stringify(notification) })] };
 */
export function snsRecord(options: {
  topicArn: string;
  message: string;
  subject?: string | undefined;
  attributes?: Readonly<Record<string, string>>;
  messageId?: string;
}): SNSEventRecord {
  const attributes: SNSMessageAttributes = {};
  for (const [name, value] of Object.entries(options.attributes ?? {}))
    attributes[name] = { Type: 'String', Value: value };
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: `${options.topicArn}:${randomUUID()}`,
    EventSource: 'aws:sns',
    Sns: {
      Type: 'Notification',
      MessageId: options.messageId ?? randomUUID(),
      TopicArn: options.topicArn,
      ...(options.subject === undefined ? {} : { Subject: options.subject }),
      Message: options.message,
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: 'local',
      SigningCertUrl: '',
      UnsubscribeUrl: '',
      MessageAttributes: attributes,
    },
  };
}

/** An SNS query-protocol error, as the SDK reads it. */
const errorReply = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
};

/** `MessageAttributes.entry.N.Name` / `.Value.StringValue` pairs of a Publish call. */
function attributesOf(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const name = form.get(`MessageAttributes.entry.${n}.Name`) ?? '';
    attributes[name] = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '';
  }
  return attributes;
}

/**
 * Local mode's stand-in for SNS, as fauxqs stands in for SQS: the SNS API's `Publish` (the query
 * protocol the AWS SDK speaks) for the topics it is given, each delivered as SNS delivers to a
 * Lambda subscription: one SNS event per message, asynchronously, after the publisher has its
 * answer, with the `lambda` (else `default`) part of a `MessageStructure: json` message. A
 * subscriber that fails is reported to `onError`; unlike Lambda's asynchronous invocation, it is
 * not invoked again.
 *
 * @example
 * const topics = await startLocalTopics({ topics: [{ name: 'notifications', subscribers }] });
 * process.env.AWS_ENDPOINT_URL_SNS = topics.endpoint;
 */
export async function startLocalTopics(options: {
  topics: readonly { name: string; subscribers: readonly LocalTopicSubscriber[] }[];
  onError?: (error: unknown, functionName: string) => void;
}): Promise<LocalTopics> {
  const subscribers = new Map(
    options.topics.map((topic) => [localTopicArn(topic.name), topic.subscribers]),
  );
  const deliveries = new Set<Promise<void>>();

  const deliver = (subscriber: LocalTopicSubscriber, event: SNSEvent) => {
    const delivery = (async () => {
      try {
        const handler = await subscriber.handler();
        await handler(event as never, lambdaContext(subscriber.functionName));
      } catch (error) {
        options.onError?.(error, subscriber.functionName);
      }
    })();
    deliveries.add(delivery);
    void delivery.finally(() => deliveries.delete(delivery));
  };

  const publish = (form: URLSearchParams, res: ServerResponse) => {
    const topicArn = form.get('TopicArn') ?? '';
    const listeners = subscribers.get(topicArn);
    if (!listeners) return errorReply(res, 404, 'NotFound', 'Topic does not exist');
    const raw = form.get('Message');
    if (!raw) return errorReply(res, 400, 'InvalidParameter', 'Invalid parameter: Message');
    let message = raw;
    if (form.get('MessageStructure') === 'json') {
      let parts: Record<string, unknown> | undefined;
      try {
        parts = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        parts = undefined;
      }
      const chosen = parts?.lambda ?? parts?.default;
      if (typeof parts?.default !== 'string' || typeof chosen !== 'string')
        return errorReply(
          res,
          400,
          'InvalidParameter',
          'Invalid parameter: Message Structure - No default entry in JSON message body',
        );
      message = chosen;
    }
    const messageId = randomUUID();
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
    const record = snsRecord({
      topicArn,
      message,
      subject: form.get('Subject') ?? undefined,
      attributes: attributesOf(form),
      messageId,
    });
    for (const subscriber of listeners) deliver(subscriber, { Records: [record] });
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = form.get('Action');
    if (req.method === 'POST' && action === 'Publish') return publish(form, res);
    errorReply(res, 400, 'InvalidAction', `The local SNS stand-in has no action ${action}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const idle = async () => {
    while (deliveries.size > 0) await Promise.allSettled([...deliveries]);
  };
  return {
    endpoint: `http://127.0.0.1:${portOf(server)}`,
    arns: Object.fromEntries(
      options.topics.map((topic) => [topic.name, localTopicArn(topic.name)]),
    ),
    idle,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await idle();
    },
  };
}
