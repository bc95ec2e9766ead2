import {
  CfnOutput,
  Duration,
  type RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { auditIndexes, auditTable } from '../../layers/audit/audit-table.ts';
import type { IndexKeys } from '../../layers/aws/table-keys.ts';
import { connectionsTable } from '../../layers/connections/connection-store.ts';
import type { SystemDefinition } from '../../layers/connectors/system-definition.ts';
import { type ChatChannel, chatChannels } from '../../layers/notifications/chat-notifier.ts';
import { webhookLogIndex } from '../../layers/webhooks/delivery-log.ts';
import { confirmationsTable } from '../../layers/writes/confirmation-store.ts';
import { operationIndexes } from '../../layers/writes/operations-table.ts';
import { writeQueueMaxReceiveCount } from '../../layers/writes/wait-schedule.ts';
import type { StageConfig } from '../config/stage-config.ts';
import { AuditArchive } from '../constructs/audit-archive.ts';
import { AuditQueries } from '../constructs/audit-queries.ts';
import { pascal } from '../constructs/names.ts';
import { controlTowerRule } from '../policy-checks.ts';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
  readonly systems: readonly SystemDefinition[];
  /** Webhook sources, as declared in layers/webhooks/sources.ts. */
  readonly webhookSources: readonly { id: string; displayName: string }[];
}

/** Placeholder secret JSON per auth mode: a fixed field for the operator, a random one to replace. */
const secretTemplates: Record<
  SystemDefinition['auth']['type'],
  { template: Record<string, string>; generated: string }
> = {
  bearer: { template: {}, generated: 'token' },
  api_key: { template: {}, generated: 'apiKey' },
  basic: { template: { username: 'replace-me' }, generated: 'password' },
  oauth2_client_credentials: { template: { clientId: 'replace-me' }, generated: 'clientSecret' },
};

/**
 * A secret created with a random placeholder in its JSON shape, for an operator to set after the
 * first deploy, with its ARN as an output (`<id>Arn`) that says how.
 */
function placeholderSecret(
  stack: Stack,
  id: string,
  options: {
    description: string;
    template: Record<string, string>;
    /** The key the random placeholder is put under. */
    generated: string;
    length: number;
    removalPolicy: RemovalPolicy;
    /** Why no Lambda rotates it (cdk-nag AwsSolutions-SMG4). */
    notRotatedBecause: string;
    setWith: string;
  },
): Secret {
  const secret = new Secret(stack, id, {
    description: options.description,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(options.template),
      generateStringKey: options.generated,
      excludePunctuation: true,
      passwordLength: options.length,
    },
    removalPolicy: options.removalPolicy,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: options.notRotatedBecause,
  });
  new CfnOutput(stack, `${id}Arn`, { value: secret.secretArn, description: options.setWith });
  return secret;
}

/** Adds the indexes a key module declares (string keys; all attributes unless `keys`). */
function addIndexes(
  table: Table,
  indexes: readonly IndexKeys[],
  capacity?: { readCapacity: number; writeCapacity: number },
): void {
  for (const index of indexes)
    table.addGlobalSecondaryIndex({
      ...capacity,
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      ...(index.sortKey ? { sortKey: { name: index.sortKey, type: AttributeType.STRING } } : {}),
      projectionType: index.projection === 'keys' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
    });
}

/** Reads of the audit table are an auditor's searches: few, so a small auto-scaled range. */
const AUDIT_READ_CAPACITY = { min: 5, max: 100 };

/**
 * Auto scaling of a provisioned audit table and each of its indexes (every record is written to
 * the indexes too), at 70% use: steady traffic then costs a fraction of on-demand writes.
 */
function provisionAudit(table: Table, write: { min: number; max: number }): void {
  const target = { targetUtilizationPercent: 70 };
  table
    .autoScaleWriteCapacity({ minCapacity: write.min, maxCapacity: write.max })
    .scaleOnUtilization(target);
  table
    .autoScaleReadCapacity({
      minCapacity: AUDIT_READ_CAPACITY.min,
      maxCapacity: AUDIT_READ_CAPACITY.max,
    })
    .scaleOnUtilization(target);
  for (const index of auditIndexes) {
    table
      .autoScaleGlobalSecondaryIndexWriteCapacity(index.name, {
        minCapacity: write.min,
        maxCapacity: write.max,
      })
      .scaleOnUtilization(target);
    table
      .autoScaleGlobalSecondaryIndexReadCapacity(index.name, {
        minCapacity: AUDIT_READ_CAPACITY.min,
        maxCapacity: AUDIT_READ_CAPACITY.max,
      })
      .scaleOnUtilization(target);
  }
}

/**
 * Declares a queue a dead-letter queue (Control Tower CT.SQS.PR.1). `allowAll` is SQS's default;
 * `byQueue` would name the source queue's ARN, and the source queue names this one: a cycle.
 */
const deadLetterQueueRole = { redrivePermission: RedrivePermission.ALLOW_ALL };

/** The archive table's first projected day: no record is older than the archive itself. */
const ARCHIVE_FIRST_DAY = '2026/12/01';

/** The write worker's timeout; the write queue's visibility timeout is six times this. */
export const WRITE_WORKER_TIMEOUT_SECONDS = 30;
/** Timeout of the webhook event worker; the events queue's visibility timeout is six times it. */
export const EVENT_WORKER_TIMEOUT_SECONDS = 30;

/**
 * Stateful resources, kept apart so the stateless stacks can be replaced freely: the audit table
 * and one Secrets Manager secret per business system.
 */
export class StatefulStack extends Stack {
  readonly auditTable: Table;
  readonly systemSecrets: ReadonlyMap<string, Secret>;
  /** The gateway's confidential client at the identity provider, for token exchange; only when a system uses it. */
  readonly tokenExchangeSecret?: Secret;
  readonly confirmationsTable: Table;
  readonly operationsTable: Table;
  readonly idempotencyTable: Table;
  /**
   * Shared resilience state, keyed by kind and owner (layers/resilience/keys.ts): kill switches,
   * breakers, rate budgets, caller limits, cached answers and prefetch claims.
   */
  readonly resilienceTable: Table;
  /**
   * Users' connections to the systems called on their behalf: their OAuth tokens, encrypted with
   * this deployment's own KMS key (`connectionsKey`), which only the functions granted the table use.
   */
  readonly connectionsTable: Table;
  readonly writeQueue: Queue;
  readonly writeDeadLetterQueue: Queue;
  /** Conversation-start prefetches (best effort, 5 minutes). */
  readonly prefetchQueue: Queue;
  /** Every audit record on S3 for years, under Object Lock; its dead-letter queue has an alarm. */
  readonly auditArchive: AuditArchive;
  /** Webhook receipts (de-duplication) and the event log. */
  readonly webhookTable: Table;
  readonly eventsQueue: Queue;
  readonly eventsDeadLetterQueue: Queue;
  /** Where the event worker publishes canonical events for anything downstream. */
  readonly eventBus: EventBus;
  /** One signing-secret store per webhook source, `{"current","previous"?}`. */
  readonly webhookSecrets: ReadonlyMap<string, Secret>;
  /**
   * Where people are told that something waits for them: the functions that propose publish here;
   * the notify function (Slack, Teams) and anyone's e-mail subscription listen.
   */
  readonly notificationsTopic: Topic;
  /** Each chat's incoming webhook, `{"url"}`: a placeholder without one until an operator sets it. */
  readonly chatWebhookSecrets: ReadonlyMap<ChatChannel, Secret>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.auditTable = new Table(this, 'AuditTable', {
      partitionKey: { name: auditTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: auditTable.sortKey, type: AttributeType.STRING },
      ...(config.auditWriteCapacity
        ? {
            billingMode: BillingMode.PROVISIONED,
            readCapacity: AUDIT_READ_CAPACITY.min,
            writeCapacity: config.auditWriteCapacity.min,
          }
        : { billingMode: BillingMode.PAY_PER_REQUEST }),
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: auditTable.timeToLiveAttribute,
      // New records feed the long-term archive (AuditArchive).
      stream: StreamViewType.NEW_IMAGE,
      deletionProtection: config.stage === 'prod',
      removalPolicy: config.removalPolicy,
    });
    // Per tool, conversation, request id, day (an auditor's search by time) and id (a lookup).
    addIndexes(
      this.auditTable,
      auditIndexes,
      config.auditWriteCapacity && {
        readCapacity: AUDIT_READ_CAPACITY.min,
        writeCapacity: config.auditWriteCapacity.min,
      },
    );
    if (config.auditWriteCapacity) provisionAudit(this.auditTable, config.auditWriteCapacity);

    const secrets = new Map<string, Secret>();
    for (const system of props.systems) {
      const shape = secretTemplates[system.auth.type];
      const secret = placeholderSecret(this, `${pascal(system.id)}Secret`, {
        description: `Toolgate credentials of ${system.displayName} (${system.auth.type}); set the real value after deploy.`,
        template: shape.template,
        generated: shape.generated,
        length: 40,
        removalPolicy: config.removalPolicy,
        notRotatedBecause:
          'Vendor API credentials (HubSpot private-app token, ERP client secret, Zendesk API token) are issued and rotated in the vendor system, not by a Lambda rotation function; the gateway re-reads the secret when a system answers 401.',
        setWith: `Set with: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string '<${system.auth.type} JSON>'`,
      });
      secrets.set(system.id, secret);
    }
    this.systemSecrets = secrets;
    if (config.tokenExchange)
      this.tokenExchangeSecret = placeholderSecret(this, 'TokenExchangeClientSecret', {
        description:
          'Toolgate\'s confidential client at the identity provider, for token exchange (RFC 8693 or Entra ID on-behalf-of): {"clientId","clientSecret"}; set the real value after deploy.',
        template: { clientId: 'set-me' },
        generated: 'clientSecret',
        length: 40,
        removalPolicy: config.removalPolicy,
        notRotatedBecause:
          "The client secret is issued and rotated at the identity provider (Entra ID app registration, the IdP's client settings), not by a Lambda rotation function.",
        setWith:
          'Set with: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string \'{"clientId":"…","clientSecret":"…"}\'',
      });
    new CfnOutput(this, 'AuditTableName', { value: this.auditTable.tableName });
    this.auditArchive = new AuditArchive(this, 'AuditArchive', {
      table: this.auditTable,
      retentionYears: config.auditRetentionYears,
    });
    const queries = new AuditQueries(this, 'AuditQueries', {
      bucket: this.auditArchive.bucket,
      key: this.auditArchive.key,
      accessLogs: this.auditArchive.accessLogs,
      stage: config.stage,
      firstDay: ARCHIVE_FIRST_DAY,
    });
    new CfnOutput(this, 'AuditArchiveBucketName', {
      value: this.auditArchive.bucket.bucketName,
      description: `Every audit record, locked ${config.auditRetentionYears} years (S3 Object Lock, compliance mode)`,
    });
    new CfnOutput(this, 'AuditWorkGroup', {
      value: queries.workGroup.ref,
      description:
        'The Athena workgroup of the audit archive, with its saved queries (README, Long-term audit)',
    });
    new CfnOutput(this, 'AuditorsRoleArn', {
      value: queries.auditors.roleArn,
      description: 'Assume this role to query the audit archive with Athena (read only)',
    });

    const table = (id: string, partitionKey: string, timeToLiveAttribute: string) =>
      new Table(this, id, {
        partitionKey: { name: partitionKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute,
        deletionProtection: config.stage === 'prod',
        removalPolicy: config.removalPolicy,
      });
    this.confirmationsTable = table('ConfirmationsTable', 'pk', 'ttl');
    // The approval inbox: pending confirmations only (a sparse index), newest first.
    this.confirmationsTable.addGlobalSecondaryIndex({
      indexName: confirmationsTable.pendingIndex.name,
      partitionKey: {
        name: confirmationsTable.pendingIndex.partitionKey,
        type: AttributeType.STRING,
      },
      sortKey: { name: confirmationsTable.pendingIndex.sortKey, type: AttributeType.STRING },
    });
    this.operationsTable = table('OperationsTable', 'pk', 'ttl');
    // GET /operations: per owner, status and tool, and every operation, newest first.
    addIndexes(this.operationsTable, operationIndexes);
    this.idempotencyTable = table('IdempotencyTable', 'id', 'expiration');
    this.resilienceTable = table('ResilienceTable', 'pk', 'ttl');
    // Users' tokens: a customer-managed key, so access to them is the key's policy and CloudTrail
    // records every use; rotated yearly.
    const connectionsKey = new Key(this, 'ConnectionsKey', {
      description: "Toolgate: encrypts users' connection tokens (per-user credentials)",
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
    });
    Validations.of(connectionsKey).acknowledge({
      id: controlTowerRule('kms_create_grant_aws_service_check'),
      reason:
        "CDK's default key policy delegates to the account's IAM policies, and no principal here is granted kms:CreateGrant: only the functions that read or write the connections table are given kms:Decrypt (and, when they write, kms:Encrypt and kms:GenerateDataKey).",
    });
    this.connectionsTable = new Table(this, 'ConnectionsTable', {
      partitionKey: { name: connectionsTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: connectionsTable.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: connectionsKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: connectionsTable.ttl,
      deletionProtection: config.stage === 'prod',
      removalPolicy: config.removalPolicy,
    });

    this.writeDeadLetterQueue = new Queue(this, 'WriteDeadLetterQueue', {
      redriveAllowPolicy: deadLetterQueueRole,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });
    Validations.of(this.writeDeadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This is the dead-letter queue of the write queue; its messages are inspected and redriven by an operator.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This is itself the dead-letter queue; a dead-letter queue of its own would only hide messages from the operator.',
      },
    );
    // A waiting write must still be on the queue when its window ends, with a day to spare.
    const writeRetention = Duration.seconds(
      Math.max(Duration.days(4).toSeconds(), config.writeWait.windowSeconds + 86_400),
    );
    if (writeRetention.toSeconds() > Duration.days(14).toSeconds())
      throw new Error(
        `writeWait.windowSeconds of stage ${config.stage} must leave a day within SQS's 14-day retention (at most ${13 * 86_400})`,
      );
    this.writeQueue = new Queue(this, 'WriteQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // At least 6 times the worker's timeout (30 s), as AWS recommends for Lambda event sources.
      visibilityTimeout: Duration.seconds(WRITE_WORKER_TIMEOUT_SECONDS * 6),
      retentionPeriod: writeRetention,
      // A write waiting for its system is received again after each pause of its schedule, and
      // given up by the worker when its window ends: maxReceiveCount leaves room for all of those,
      // so only messages the worker cannot handle reach the dead-letter queue (and its alarm).
      deadLetterQueue: {
        queue: this.writeDeadLetterQueue,
        maxReceiveCount: writeQueueMaxReceiveCount(config.writeWait),
      },
      removalPolicy: config.removalPolicy,
    });

    // Best effort and short-lived: a prefetch older than its conversation's first minutes is useless.
    this.prefetchQueue = new Queue(this, 'PrefetchQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.minutes(5),
      visibilityTimeout: Duration.seconds(60),
      removalPolicy: config.removalPolicy,
    });
    Validations.of(this.prefetchQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'Conversation-start prefetches are best effort and expire after 5 minutes; one that fails costs the agent a live call, so a dead-letter queue would only collect stale reads.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'Conversation-start prefetches are best effort and expire after 5 minutes; there is nothing to redrive.',
      },
      {
        id: controlTowerRule('sqs_dlq_check'),
        reason:
          'Conversation-start prefetches are best effort and expire after 5 minutes; one that fails costs the agent a live call, so a dead-letter queue would only collect stale reads.',
      },
    );

    this.webhookTable = table('WebhookTable', 'pk', 'ttl');
    // The delivery log of GET /webhooks/events: sparse, only log entries carry its keys.
    this.webhookTable.addGlobalSecondaryIndex({
      indexName: webhookLogIndex.name,
      partitionKey: { name: webhookLogIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: webhookLogIndex.sortKey, type: AttributeType.STRING },
    });
    this.eventsDeadLetterQueue = new Queue(this, 'EventsDeadLetterQueue', {
      redriveAllowPolicy: deadLetterQueueRole,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });
    Validations.of(this.eventsDeadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This is the dead-letter queue of the webhook events queue; an alarm fires and an operator redrives it.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This is itself the dead-letter queue; a dead-letter queue of its own would only hide messages from the operator.',
      },
    );
    this.eventsQueue = new Queue(this, 'EventsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(EVENT_WORKER_TIMEOUT_SECONDS * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.eventsDeadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: config.removalPolicy,
    });
    this.eventBus = new EventBus(this, 'EventBus', {
      description: `Toolgate ${config.stage}: canonical events from the SaaS systems' webhooks`,
    });

    const webhookSecrets = new Map<string, Secret>();
    for (const source of props.webhookSources) {
      const secret = placeholderSecret(this, `${pascal(source.id)}WebhookSecret`, {
        description: `Toolgate: signing secret of ${source.displayName} webhooks, {"current","previous"?}; set it to the one the sender shows.`,
        template: {},
        generated: 'current',
        length: 48,
        removalPolicy: config.removalPolicy,
        notRotatedBecause:
          'Webhook signing secrets are issued by the sender (Stripe, GitHub, HubSpot, …) and rotated there; the README describes the rotation with current and previous values.',
        setWith: `Set with: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string '{"current":"<signing secret from ${source.displayName}>"}'`,
      });
      webhookSecrets.set(source.id, secret);
    }
    this.webhookSecrets = webhookSecrets;
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });

    // SNS's AWS managed key: its policy lets principals of this account use it through SNS only,
    // which is all the publishing functions need (their sns:Publish grant scopes them); a key of
    // our own would add a key policy to keep and a monthly cost, and protect nothing more here.
    this.notificationsTopic = new Topic(this, 'NotificationsTopic', {
      displayName: `Toolgate ${config.stage}: approvals waiting and failed operations`,
      masterKey: Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    new CfnOutput(this, 'NotificationsTopicArn', {
      value: this.notificationsTopic.topicArn,
      description:
        'Subscribe people with: aws sns subscribe --topic-arn <this ARN> --protocol email --notification-endpoint <address> (README, Notifications)',
    });
    const chatSecrets = new Map<ChatChannel, Secret>();
    for (const [channel, { displayName }] of Object.entries(chatChannels) as [
      ChatChannel,
      (typeof chatChannels)[ChatChannel],
    ][]) {
      const secret = placeholderSecret(this, `${pascal(channel)}WebhookUrlSecret`, {
        description: `Toolgate: the ${displayName} incoming webhook notifications are posted to, {"url":"https://…"}; without a url, nothing is posted to ${displayName}.`,
        template: {},
        generated: 'placeholder',
        length: 16,
        removalPolicy: config.removalPolicy,
        notRotatedBecause: `The ${displayName} webhook URL is issued by ${displayName} (an app's incoming webhook or a Workflows trigger) and replaced there; the notify function re-reads the secret when the old URL answers it is gone.`,
        setWith: `Set with: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string '{"url":"<${displayName} webhook URL>"}'`,
      });
      chatSecrets.set(channel, secret);
    }
    this.chatWebhookSecrets = chatSecrets;
  }
}
