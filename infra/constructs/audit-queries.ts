import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import {
  Database,
  DataFormat,
  DateIntervalUnit,
  PartitionProjectionConfiguration,
  S3Table,
  S3TableStorage,
  Schema,
} from 'aws-cdk-lib/aws-glue';
import { AccountRootPrincipal, Grant, Role } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  ARCHIVE_DAY_COLUMN,
  ARCHIVE_PREFIX,
  archiveColumns,
} from '../../layers/audit/audit-archive.ts';
import { controlTowerRule } from '../policy-checks.ts';
import { asBucketRef } from './audit-archive.ts';
import { auditQueries } from './audit-query-texts.ts';

/** The archive's table, as auditors name it in SQL. */
const RECORDS_TABLE = 'records';

export interface AuditQueriesProps {
  /** The archive bucket and its key. */
  readonly bucket: Bucket;
  readonly key: Key;
  /** Where the results bucket's access logs go. */
  readonly accessLogs: Bucket;
  /** Stage name, for the database's name (`toolgate_<stage>_audit`). */
  readonly stage: string;
  /** The first day the archive may hold (partition projection's lower bound), `yyyy/MM/dd`. */
  readonly firstDay: string;
  /**
   * A query scanning more than this is cancelled.
   * @default 10 GiB
   */
  readonly bytesScannedCutoffPerQuery?: number;
}

/**
 * SQL over the audit archive for auditors: a Glue table over the JSON records (partition
 * projection on the date: no crawler), an Athena workgroup that keeps its own encrypted results
 * and cancels runaway scans, the saved queries, and the `Auditors` role, which reads the archive
 * and runs queries and can change or delete nothing.
 *
 * @example
 * new AuditQueries(this, 'AuditQueries', { bucket: archive.bucket, key: archive.key, accessLogs, stage: 'prod', firstDay: '2026/01/01' });
 */
export class AuditQueries extends Construct {
  readonly database: Database;
  readonly table: S3Table;
  readonly workGroup: CfnWorkGroup;
  readonly results: Bucket;
  /** Assumed by auditors (anyone in the account an administrator lets assume it). */
  readonly auditors: Role;

  constructor(scope: Construct, id: string, props: AuditQueriesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.database = new Database(this, 'Database', {
      // Auditors type it: lower case, as Athena spells names.
      databaseName: `toolgate_${props.stage.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_audit`,
      description: 'Toolgate: the long-term audit archive',
    });
    this.table = new S3Table(this, 'Records', {
      database: this.database,
      tableName: RECORDS_TABLE,
      description:
        'Every call to the gateway, one row each (delivered at least once: auditId tells duplicates)',
      storage: S3TableStorage.fromBucket(asBucketRef(props.bucket)),
      s3Prefix: ARCHIVE_PREFIX,
      dataFormat: DataFormat.JSON,
      compressed: true,
      columns: archiveColumns.map((column) => ({
        name: column.name.toLowerCase(),
        type: { inputString: column.type, isPrimitive: !column.type.includes('<') },
        comment: column.comment,
      })),
      partitionKeys: [
        {
          name: ARCHIVE_DAY_COLUMN.name,
          type: Schema.STRING,
          comment: 'The day, yyyy/MM/dd (UTC)',
        },
      ],
      partitionProjection: {
        [ARCHIVE_DAY_COLUMN.name]: PartitionProjectionConfiguration.date({
          min: props.firstDay,
          max: 'NOW',
          format: ARCHIVE_DAY_COLUMN.format,
          step: { interval: 1, intervalUnit: DateIntervalUnit.DAYS },
        }),
      },
      parameters: {
        'storage.location.template': `s3://${props.bucket.bucketName}/${ARCHIVE_PREFIX}\${${ARCHIVE_DAY_COLUMN.name}}/`,
      },
    });

    this.results = new Bucket(this, 'Results', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: asBucketRef(props.accessLogs),
      serverAccessLogsPrefix: 'query-results/',
      // Results are copies of archived records: kept a month, then only the archive holds them.
      lifecycleRules: [
        { expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.results).acknowledge(
      {
        id: controlTowerRule('s3_bucket_object_lock_enabled_check'),
        reason:
          'Query results are working copies that expire after 30 days; the records themselves are in the Object Lock archive.',
      },
      {
        id: controlTowerRule('s3_event_notifications_enabled_check'),
        reason:
          'Nothing reacts to query results; Athena hands them to the auditor who ran the query.',
      },
    );

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${stack.stackName}-audit`,
      description: 'Toolgate auditors: queries over the long-term audit archive',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.results.s3UrlForObject('results/'),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });
    for (const [index, query] of auditQueries(RECORDS_TABLE).entries()) {
      new CfnNamedQuery(this, `Query${index}`, {
        name: query.name,
        description: query.description,
        database: this.database.databaseName,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
    }

    this.auditors = new Role(this, 'Auditors', {
      description:
        'Toolgate auditors: read the audit archive and query it with Athena; nothing can be changed or deleted',
      assumedBy: new AccountRootPrincipal(),
    });
    this.table.grantRead(this.auditors);
    props.key.grantDecrypt(this.auditors);
    Grant.addToPrincipal({
      grantee: this.auditors,
      actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables'],
      resourceArns: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        this.database.databaseArn,
      ],
    });
    Grant.addToPrincipal({
      grantee: this.auditors,
      actions: [
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:GetQueryRuntimeStatistics',
        'athena:ListQueryExecutions',
        'athena:BatchGetQueryExecution',
        'athena:GetWorkGroup',
        'athena:ListNamedQueries',
        'athena:GetNamedQuery',
        'athena:BatchGetNamedQuery',
      ],
      resourceArns: [
        stack.formatArn({
          service: 'athena',
          resource: 'workgroup',
          resourceName: this.workGroup.ref,
        }),
      ],
    });
    // Athena writes each query's results as the auditor: read and put, never delete.
    this.results.grantRead(this.auditors);
    this.results.grantPut(this.auditors, 'results/*');
    const resultsId = stack.getLogicalId(this.results.node.defaultChild as CfnBucket);
    Validations.of(this.auditors).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.bucket.node.defaultChild as CfnBucket)}.Arn>/${ARCHIVE_PREFIX}*]`,
        reason: "Auditors read every record under the archive's audit/ prefix: that is their job.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${resultsId}.Arn>/*]`,
        reason: 'Auditors read the query results Athena wrote for them.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${resultsId}.Arn>/results/*]`,
        reason: "Athena writes each query's results under results/ as the auditor who ran it.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason:
          "CDK's read grant: GetObject and its version, tagging and retention reads, on the archive's audit/ prefix and the results bucket only.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        reason: "CDK's read grant: the bucket's location and settings, needed by Athena.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:List*]',
        reason: "CDK's read grant: listing the two buckets' objects, which Athena does to scan.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:Abort*]',
        reason: "CDK's put grant: Athena aborts its own unfinished result uploads.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Athena encrypts the results with the archive key (SSE-KMS) as the auditor.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: "CDK's put grant on a KMS-encrypted bucket; the key is the archive's own.",
      },
    );
  }
}
