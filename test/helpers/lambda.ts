import type { APIGatewayProxyEventV2, Context, SNSEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from '#local/api-gateway.ts';
import { snsRecord } from '#local/notification-topic.ts';

/**
 * A Lambda context for unit tests: what the runtime hands a handler, with the remaining time
 * under the test's control.
 *
 * @example
 * let remainingMs = 30_000;
 * const context = fakeContext({ remainingTimeMs: () => remainingMs });
 * remainingMs = 500; // the invocation is about to time out
 */
export function fakeContext(
  options: { functionName?: string; awsRequestId?: string; remainingTimeMs?: () => number } = {},
): Context {
  // Local mode's context, with the request id and the remaining time the test chooses.
  return {
    ...lambdaContext(options.functionName ?? 'toolgate-test'),
    awsRequestId: options.awsRequestId ?? 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    getRemainingTimeInMillis: options.remainingTimeMs ?? (() => 30_000),
  };
}

/**
 * An API Gateway HTTP API (payload 2.0) event, as API Gateway hands it to a function: header
 * names in lower case, the body as text, path parameters as the route matched them.
 *
 * @example
 * const event = apiGatewayEvent({
 *   method: 'POST',
 *   path: '/tools/get_customer',
 *   route: '/tools/{name}',
 *   pathParameters: { name: 'get_customer' },
 *   headers: { authorization: 'Bearer a.b.c' },
 *   body: { customerId: 'C-00001' },
 * });
 */
export function apiGatewayEvent(options: {
  method: string;
  path: string;
  /** The route's path template. @default `path` */
  route?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  /** A string is sent as is; anything else as JSON, with `content-type: application/json`. */
  body?: unknown;
  requestId?: string;
}): APIGatewayProxyEventV2 {
  const isJson = options.body !== undefined && typeof options.body !== 'string';
  const headers: Record<string, string> = {
    host: 'api.example.com',
    'x-forwarded-proto': 'https',
    ...(isJson ? { 'content-type': 'application/json' } : {}),
  };
  for (const [name, value] of Object.entries(options.headers ?? {}))
    headers[name.toLowerCase()] = value;
  const at = new Date();
  const routeKey = `${options.method} ${options.route ?? options.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query).toString(),
    headers,
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: headers.host ?? 'api.example.com',
      domainPrefix: 'api',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: headers['user-agent'] ?? 'vitest',
      },
      requestId: options.requestId ?? 'req-test-1',
      routeKey,
      stage: '$default',
      time: at.toUTCString(),
      timeEpoch: at.getTime(),
    },
    ...(options.body === undefined
      ? {}
      : { body: isJson ? JSON.stringify(options.body) : String(options.body) }),
    isBase64Encoded: false,
  };
}

/**
 * One SQS message as a Lambda event source mapping delivers it; the body is JSON unless a string.
 *
 * @example
 * const record = sqsRecord({ operationId: 'op_1' }, { receiveCount: 3, sentAt: Date.parse('2026-11-02T08:00:00Z') });
 */
export function sqsRecord(
  body: unknown,
  options: {
    messageId?: string;
    /** @default one per message id and receive */
    receiptHandle?: string;
    receiveCount?: number;
    /** Epoch ms. @default now */
    sentAt?: number;
    queueArn?: string;
  } = {},
): SQSRecord {
  const messageId = options.messageId ?? 'm-1';
  const receiveCount = options.receiveCount ?? 1;
  const sentAt = String(options.sentAt ?? Date.now());
  return {
    messageId,
    receiptHandle: options.receiptHandle ?? `${messageId}-receive-${receiveCount}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: sentAt,
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: sentAt,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn ?? 'arn:aws:sqs:us-east-1:000000000000:test',
    awsRegion: 'us-east-1',
  };
}

/**
 * A batch of SQS messages, ids `m-1`, `m-2`, … in order.
 *
 * @example
 * const event = sqsEvent([{ id: 'evt-1' }, { id: 'evt-2' }]);
 */
export function sqsEvent(
  bodies: readonly unknown[],
  options: Omit<Parameters<typeof sqsRecord>[1] & object, 'messageId' | 'receiptHandle'> = {},
): SQSEvent {
  return {
    Records: bodies.map((body, index) =>
      sqsRecord(body, { ...options, messageId: `m-${index + 1}` }),
    ),
  };
}

/**
 * What SNS hands a subscribed function: one record per message (local mode's topic builds the same
 * records); the message is JSON unless a string.
 *
 * @example
 * const event = snsEvent({ kind: 'approval_waiting', … }, { attributes: { kind: 'approval_waiting' } });
 */
export function snsEvent(
  message: unknown,
  options: { topicArn?: string; subject?: string; attributes?: Record<string, string> } = {},
): SNSEvent {
  return {
    Records: [
      snsRecord({
        topicArn: options.topicArn ?? 'arn:aws:sns:us-east-1:000000000000:test-notifications',
        message: typeof message === 'string' ? message : JSON.stringify(message),
        subject: options.subject,
        ...(options.attributes ? { attributes: options.attributes } : {}),
      }),
    ],
  };
}
