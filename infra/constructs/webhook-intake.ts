import { Duration, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { webhookSecretEnvName } from '../../layers/webhooks/sources.ts';
import { cacheInvalidations } from '../../layers/webhooks/subscribers.ts';
import { acknowledgePublicRoute } from '../policy-checks.ts';
import { EVENT_WORKER_TIMEOUT_SECONDS } from '../stacks/stateful-stack.ts';
import { addQueueAlarms } from './queue-alarms.ts';
import { grantResilienceAccess } from './resilience-access.ts';
import { type FunctionFactory, grantTable } from './write-path.ts';

export interface WebhookIntakeProps {
  readonly api: HttpApi;
  readonly makeFunction: FunctionFactory;
  /** Receipts (de-duplication) and the event log. */
  readonly table: Table;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly bus: EventBus;
  /** Webhook source id → its signing-secret store. */
  readonly secrets: ReadonlyMap<string, Secret>;
  /** The cache the events invalidate. */
  readonly resilienceTable: Table;
  readonly alarmAction: IAlarmAction;
  /** Oldest event before the alarm fires. @default 15 minutes */
  readonly maxQueueAge?: Duration;
}

/**
 * Webhooks from SaaS systems: `POST /webhooks/{source}` (no authorizer: senders sign instead)
 * verifies, de-duplicates and queues; an SQS-triggered worker processes each event once
 * (partial batch failures, dead-letter queue), invalidates cached data and publishes to the bus.
 */
export class WebhookIntake extends Construct {
  readonly receiveFunction: IFunction;
  readonly processFunction: IFunction;

  constructor(scope: Construct, id: string, props: WebhookIntakeProps) {
    super(scope, id);
    const secretIds = Object.fromEntries(
      [...props.secrets].map(([source, secret]) => [
        webhookSecretEnvName(source),
        secret.secretArn,
      ]),
    );
    const receive = props.makeFunction(
      'WebhookReceive',
      'functions/webhooks/receive/handler.ts',
      'POST /webhooks/{source}',
      {
        WEBHOOK_TABLE_NAME: props.table.tableName,
        EVENTS_QUEUE_URL: props.queue.queueUrl,
        ...secretIds,
      },
    );
    for (const secret of props.secrets.values()) secret.grantRead(receive);
    grantTable(receive, props.table, 'PutItem', 'DeleteItem');
    props.queue.grantSendMessages(receive);
    const [route] = props.api.addRoutes({
      path: '/webhooks/{source}',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('WebhookReceiveIntegration', receive),
      authorizer: new HttpNoneAuthorizer(),
    });
    if (route) {
      acknowledgePublicRoute(
        route,
        'SaaS senders cannot present our JWTs: every delivery is authenticated by its vendor signature (HMAC over the raw body with the source secret, timestamps checked) before anything is queued.',
      );
    }

    const worker = props.makeFunction(
      'WebhookProcess',
      'functions/webhooks/process/handler.ts',
      'Webhook events queue worker: event log, cache invalidation, EventBridge',
      {
        WEBHOOK_TABLE_NAME: props.table.tableName,
        RESILIENCE_TABLE_NAME: props.resilienceTable.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
      },
      Duration.seconds(EVENT_WORKER_TIMEOUT_SECONDS),
    );
    grantTable(worker, props.table, 'PutItem', 'UpdateItem');
    // Invalidation only bumps the generations of the caches an event makes stale.
    grantResilienceAccess(worker, props.resilienceTable, {
      invalidates: [...new Set(cacheInvalidations.flatMap((rule) => rule.tools))],
    });
    props.bus.grantPutEventsTo(worker);
    worker.addEventSource(
      new SqsEventSource(props.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    Validations.of(worker).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'Failed events return to the events queue and, after maxReceiveCount, go to its dead-letter queue (alarmed); an on-failure destination would duplicate that.',
    });
    this.receiveFunction = receive;
    this.processFunction = worker;

    addQueueAlarms(this, {
      queue: props.queue,
      deadLetterQueue: props.deadLetterQueue,
      alarmAction: props.alarmAction,
      ids: { deadLetters: 'EventDeadLettersAlarm', oldest: 'OldestEventAlarm' },
      descriptions: {
        deadLetters: 'Webhook events reached the dead-letter queue: they were not processed',
        oldest: (minutes) => `A webhook event has waited in the queue for over ${minutes} minutes`,
      },
      ...(props.maxQueueAge ? { maxAge: props.maxQueueAge } : {}),
    });
  }
}
