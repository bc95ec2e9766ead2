import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import {
  AnyPrincipal,
  Effect,
  Grant,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream, DeliveryStreamGrants } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, LogStream, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIX, archiveInputTemplate } from '../../layers/audit/audit-archive.ts';
import { controlTowerRule } from '../policy-checks.ts';

export interface AuditArchiveProps {
  /** The audit table; its stream (NEW_IMAGE) feeds the archive. */
  readonly table: Table;
  /** Years each record stays locked (S3 Object Lock, compliance mode). */
  readonly retentionYears: number;
  /**
   * Days after which records move to S3 Glacier Instant Retrieval (Athena still reads them).
   * @default 90
   */
  readonly infrequentAccessAfterDays?: number;
}

/** Where Firehose puts what it could not deliver or partition, under the archive bucket. */
const ERROR_PREFIX = 'errors/';

/**
 * The long-term audit archive: every record the audit table receives, delivered to S3 by an
 * EventBridge Pipe (the table's stream, new records only) and Amazon Data Firehose, one gzipped
 * JSON line per record, partitioned by the record's date (`audit/yyyy/MM/dd/`). The bucket locks
 * each object in compliance mode for the retention period, so nobody (root included) can alter or
 * delete a record sooner; only the delivery role may write it.
 *
 * @example
 * const archive = new AuditArchive(this, 'AuditArchive', { table: auditTable, retentionYears: 7 });
 */
export class AuditArchive extends Construct {
  readonly bucket: Bucket;
  /** Encrypts the archive and the auditors' query results; rotated yearly. */
  readonly key: Key;
  /** Server access logs of the archive and of the query results. */
  readonly accessLogs: Bucket;
  /** The only principal that writes the archive. */
  readonly deliveryRole: Role;
  readonly deliveryStream: CfnDeliveryStream;
  /** Stream batches the pipe could not deliver after its retries (their shard and sequence numbers). */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: AuditArchiveProps) {
    super(scope, id);
    // Access logs are delivered under a bucket policy, not an ACL (buckets here own their objects).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const stack = Stack.of(this);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('The audit table needs a stream (NEW_IMAGE) for its archive');

    // Kept whatever the stage's removal policy: without the key, a locked record cannot be read.
    this.key = new Key(this, 'Key', {
      description: `Toolgate ${stack.stackName}: the long-term audit archive and its query results`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.key).acknowledge({
      id: controlTowerRule('kms_create_grant_aws_service_check'),
      reason:
        "CDK's default key policy delegates to the account's IAM policies, and no principal here is granted kms:CreateGrant: only the delivery role (encrypt), the auditors (decrypt) and Athena on their behalf use the key.",
    });

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // Server access log delivery supports SSE-S3 only.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logsOfLogs =
      'This bucket receives the server access logs of the audit archive and of the query results; logging its own access would log the logging.';
    Validations.of(this.accessLogs).acknowledge(
      { id: 'AwsSolutions-S1', reason: logsOfLogs },
      { id: controlTowerRule('s3_bucket_logging_enabled_check'), reason: logsOfLogs },
      {
        id: controlTowerRule('s3_bucket_default_encryption_kms_check'),
        reason:
          'S3 delivers server access logs only to a bucket encrypted with SSE-S3 (SSE-KMS is not supported for log delivery).',
      },
      {
        id: controlTowerRule('s3_bucket_object_lock_enabled_check'),
        reason:
          'Access logs are kept a year and then expire; the audit records themselves are in the Object Lock bucket.',
      },
      {
        id: controlTowerRule('s3_event_notifications_enabled_check'),
        reason:
          'Nothing reacts to new access log objects; they are read when someone investigates.',
      },
    );

    const retentionDays = Math.ceil(props.retentionYears * 366);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      serverAccessLogsBucket: asBucketRef(this.accessLogs),
      serverAccessLogsPrefix: 'archive/',
      lifecycleRules: [
        {
          id: 'archive-tiers',
          transitions: [
            {
              // Athena reads Glacier Instant Retrieval directly; deeper tiers would need a restore.
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.infrequentAccessAfterDays ?? 90),
            },
          ],
          // After the lock has ended (366 days a year: never before), the record goes.
          expiration: Duration.days(retentionDays + 1),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // Locked objects cannot be deleted, so neither can the bucket: it outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: controlTowerRule('s3_event_notifications_enabled_check'),
      reason:
        'Nothing reacts to new archive objects: Athena reads them through partition projection, without a crawler or a notification.',
    });
    // In years, as the deployer gave it (CDK would write days, off by the leap days).
    (this.bucket.node.defaultChild as CfnBucket).objectLockConfiguration = {
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: 'COMPLIANCE', years: props.retentionYears } },
    };

    this.deliveryRole = new Role(this, 'DeliveryRole', {
      description: 'Amazon Data Firehose: writes the audit archive, and nothing else does',
      assumedBy: new ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    const objects = [
      this.bucket.arnForObjects(`${ARCHIVE_PREFIX}*`),
      this.bucket.arnForObjects(`${ERROR_PREFIX}*`),
    ];
    // Exactly what Firehose's S3 delivery needs: no delete, no retention or legal-hold changes.
    Grant.addToPrincipal({
      grantee: this.deliveryRole,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
      resourceArns: objects,
    });
    Grant.addToPrincipal({
      grantee: this.deliveryRole,
      actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      resourceArns: [this.bucket.bucketArn],
    });
    this.key.grant(this.deliveryRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    Validations.of(this.deliveryRole).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/${ARCHIVE_PREFIX}*]`,
        reason:
          "Firehose names each object itself (date partition, stream name, time, a random id): the grant covers the archive's audit/ prefix, for putting objects only.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/${ERROR_PREFIX}*]`,
        reason:
          'Firehose names the records it could not deliver itself: the grant covers the errors/ prefix only.',
      },
    );
    // Records are only ever added: nobody deletes one (a delete marker would hide it from Athena),
    // and only the delivery role writes.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'NobodyDeletesAuditRecords',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheDeliveryRoleWrites',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.deliveryRole.roleArn } },
      }),
    );

    const deliveryLogs = new LogGroup(this, 'DeliveryLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deliveryLogStream = new LogStream(this, 'DeliveryLogStream', {
      logGroup: deliveryLogs,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    deliveryLogs.grantWrite(this.deliveryRole);
    Validations.of(deliveryLogs).acknowledge({
      id: controlTowerRule('cloudwatch_log_group_encrypted_check'),
      reason:
        'CloudWatch Logs encrypts every log group at rest with keys it manages; Firehose writes only delivery errors here (no record content), so a customer-managed key would add a key policy to keep, not protection.',
    });

    // The date comes from the record itself, so a record is in its own day's partition.
    const day = (name: string) => `!{partitionKeyFromQuery:${name}}`;
    this.deliveryStream = new CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: this.deliveryRole.roleArn,
        prefix: `${ARCHIVE_PREFIX}${day('year')}/${day('month')}/${day('day')}/`,
        errorOutputPrefix: `${ERROR_PREFIX}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
        // Dynamic partitioning needs at least 64 MiB; five minutes bound how late a record lands.
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
        compressionFormat: 'GZIP',
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: this.key.keyArn } },
        dynamicPartitioningConfiguration: {
          enabled: true,
          retryOptions: { durationInSeconds: 300 },
        },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'MetadataExtraction',
              parameters: [
                {
                  parameterName: 'MetadataExtractionQuery',
                  parameterValue: '{year: .at[0:4], month: .at[5:7], day: .at[8:10]}',
                },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
            // One record a line, as Athena's JSON reader expects.
            {
              type: 'AppendDelimiterToRecord',
              parameters: [{ parameterName: 'Delimiter', parameterValue: '\\n' }],
            },
          ],
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: deliveryLogs.logGroupName,
          logStreamName: deliveryLogStream.logStreamName,
        },
      },
    });
    // Firehose checks its access when the stream is created: the role's grants must exist first.
    this.deliveryStream.node.addDependency(grantsOf(this.deliveryRole));

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      redriveAllowPolicy: { redrivePermission: RedrivePermission.ALLOW_ALL },
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          "This is the audit archive pipe's dead-letter queue: it names the stream batches that could not be delivered, for an operator (an alarm fires).",
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This is itself a dead-letter queue; a dead-letter queue of its own would only hide messages from the operator.',
      },
    );

    const pipeRole = new Role(this, 'PipeRole', {
      description: "EventBridge Pipes: reads the audit table's stream, puts records to Firehose",
      assumedBy: new ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    props.table.grantStreamRead(pipeRole);
    DeliveryStreamGrants.fromDeliveryStream(this.deliveryStream).putRecords(pipeRole);
    this.deadLetterQueue.grantSendMessages(pipeRole);
    Validations.of(pipeRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams has no resource-level permissions; reading the stream itself is granted on its ARN only.',
    });

    const pipe = new CfnPipe(this, 'Pipe', {
      description: 'Every new audit record, to the long-term archive',
      roleArn: pipeRole.roleArn,
      source: streamArn,
      sourceParameters: {
        // Only new records: TTL expiry in DynamoDB must not touch the archive.
        filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
        dynamoDbStreamParameters: {
          startingPosition: 'TRIM_HORIZON',
          batchSize: 100,
          maximumBatchingWindowInSeconds: 10,
          maximumRetryAttempts: 10,
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
      },
      target: this.deliveryStream.attrArn,
      targetParameters: { inputTemplate: archiveInputTemplate() },
    });
    pipe.node.addDependency(grantsOf(pipeRole));
  }
}

/**
 * A bucket where CDK's props want its interface: `Bucket.isWebsite` is `boolean | undefined`, which
 * `IBucket` under this project's `exactOptionalPropertyTypes` does not accept.
 */
export const asBucketRef = (bucket: Bucket): IBucket => bucket as IBucket;

/** The policy a role's grants went into (CDK's `DefaultPolicy`), to create a user of the role after it. */
function grantsOf(role: Role): Construct {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${role.node.path} has no grants`);
  return policy;
}
