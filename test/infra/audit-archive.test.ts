import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditArchive } from '#infra/constructs/audit-archive.ts';
import { archiveColumns, archiveInputTemplate } from '#layers/audit/audit-archive.ts';
import { systems } from '#layers/systems/registry.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import { type SynthesizedApp, synthesizeApp, violations } from '#test/helpers/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

describe('the long-term audit archive as the CDK app deploys it', () => {
  // One unbundled synth of the dev stage, shared by every test of this file.
  let synth: SynthesizedApp;
  let stateful: Template;
  let api: Template;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    synth = synthesizeApp();
    stateful = synth.template('stateful');
    api = synth.template('api');
    resources = stateful.toJSON().Resources;
  }, 900_000);
  afterAll(() => synth.remove());

  /** The logical ID of the one resource whose ID starts so. */
  const id = (prefix: string) => {
    const ids = Object.keys(resources).filter((key) =>
      new RegExp(`^${prefix}[0-9A-F]{8}$`).test(key),
    );
    expect(ids, prefix).toHaveLength(1);
    return ids[0] as string;
  };
  const bucketId = () => id('AuditArchiveBucket');
  const statementsOf = (roleId: string): Statement[] =>
    Object.values(resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::IAM::Policy' &&
          resource.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  const actions = (statement: Statement) => [statement.Action].flat();
  const onArchive = (statement: Statement) =>
    JSON.stringify(statement.Resource).includes(bucketId());

  it('synthesizes without a policy finding nobody acknowledged', () => {
    expect(synth.error).toBeUndefined();
    expect(violations(synth.report)).toEqual([]);
  });

  describe('the bucket', () => {
    it('locks every object in compliance mode for the default 7 years, versioned as Object Lock requires', () => {
      const bucket = resources[bucketId()]?.Properties;
      expect(bucket?.ObjectLockEnabled).toBe(true);
      expect(bucket?.ObjectLockConfiguration).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 7 } },
      });
      expect(bucket?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect((resources[bucketId()] as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    });

    it('encrypts with a customer-managed key that rotates and outlives the stack', () => {
      const keyId = id('AuditArchiveKey');
      expect(resources[bucketId()]?.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      });
      expect(resources[keyId]?.Properties.EnableKeyRotation).toBe(true);
      expect((resources[keyId] as any).DeletionPolicy).toBe('Retain');
    });

    it('moves records to Glacier Instant Retrieval after 90 days and expires them only after the lock ends', () => {
      const [rule] = resources[bucketId()]?.Properties.LifecycleConfiguration.Rules ?? [];
      expect(rule.Transitions).toEqual([{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }]);
      expect(rule.ExpirationInDays).toBeGreaterThan(7 * 366);
      expect(rule.AbortIncompleteMultipartUpload).toEqual({ DaysAfterInitiation: 7 });
    });

    it('blocks public access, refuses requests without TLS and logs access to its own log bucket', () => {
      const bucket = resources[bucketId()]?.Properties;
      expect(bucket?.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket?.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: id('AuditArchiveAccessLogs') },
        LogFilePrefix: 'archive/',
      });
      stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId() },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('takes the retention from -c auditRetentionYears', () => {
      // A stack of the construct alone: the retention is all this test reads.
      const stack = new Stack(new App(), 'Retention');
      const table = new Table(stack, 'Table', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        stream: StreamViewType.NEW_IMAGE,
      });
      new AuditArchive(stack, 'Archive', { table, retentionYears: 10 });
      Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 10 } } },
      });
    });
  });

  describe('the delivery', () => {
    it("streams the audit table's new images through a pipe that keeps inserts only, shaped as archive rows, to Firehose", () => {
      expect(resources.AuditTableB07F8EEB?.Properties.StreamSpecification).toEqual({
        StreamViewType: 'NEW_IMAGE',
      });
      const pipe = resources[id('AuditArchivePipe')]?.Properties;
      expect(pipe?.Source).toEqual({ 'Fn::GetAtt': ['AuditTableB07F8EEB', 'StreamArn'] });
      expect(pipe?.Target).toEqual({ 'Fn::GetAtt': [id('AuditArchiveDeliveryStream'), 'Arn'] });
      expect(pipe?.SourceParameters.FilterCriteria).toEqual({
        Filters: [{ Pattern: '{"eventName":["INSERT"]}' }],
      });
      expect(pipe?.SourceParameters.DynamoDBStreamParameters).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id('AuditArchiveDeadLetterQueue'), 'Arn'] } },
      });
      expect(pipe?.TargetParameters.InputTemplate).toBe(archiveInputTemplate());
    });

    it("delivers gzipped JSON lines, KMS-encrypted, partitioned by the record's own date", () => {
      const destination =
        resources[id('AuditArchiveDeliveryStream')]?.Properties.ExtendedS3DestinationConfiguration;
      expect(destination.BucketARN).toEqual({ 'Fn::GetAtt': [bucketId(), 'Arn'] });
      expect(destination.RoleARN).toEqual({
        'Fn::GetAtt': [id('AuditArchiveDeliveryRole'), 'Arn'],
      });
      expect(destination.Prefix).toBe(
        'audit/!{partitionKeyFromQuery:year}/!{partitionKeyFromQuery:month}/!{partitionKeyFromQuery:day}/',
      );
      expect(destination.DynamicPartitioningConfiguration.Enabled).toBe(true);
      expect(destination.CompressionFormat).toBe('GZIP');
      expect(destination.EncryptionConfiguration).toEqual({
        KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [id('AuditArchiveKey'), 'Arn'] } },
      });
      const processors = destination.ProcessingConfiguration.Processors;
      expect(processors.map((p: { Type: string }) => p.Type)).toEqual([
        'MetadataExtraction',
        'AppendDelimiterToRecord',
      ]);
      expect(JSON.stringify(processors[0].Parameters)).toContain('.at[0:4]');
    });
  });

  describe('least privilege', () => {
    it('lets only the delivery role write the archive, and nobody delete from it', () => {
      const policies = [stateful, api].flatMap((template) =>
        Object.values(template.findResources('AWS::IAM::Policy')).map((policy) => ({
          roles: JSON.stringify(policy.Properties.Roles),
          statements: policy.Properties.PolicyDocument.Statement as Statement[],
        })),
      );
      const writers = policies.filter(({ statements }) =>
        statements.some(
          (statement) =>
            onArchive(statement) &&
            actions(statement).some((action) => /^s3:(Put|Delete|\*)/.test(action)),
        ),
      );
      expect(writers.map(({ roles }) => roles)).toEqual([
        JSON.stringify([{ Ref: id('AuditArchiveDeliveryRole') }]),
      ]);
      const delivery = statementsOf(id('AuditArchiveDeliveryRole')).filter(onArchive);
      expect(delivery.flatMap(actions).sort()).toEqual(
        [
          's3:AbortMultipartUpload',
          's3:GetBucketLocation',
          's3:GetObject',
          's3:ListBucket',
          's3:ListBucketMultipartUploads',
          's3:PutObject',
        ].sort(),
      );
      const bucketPolicy = Object.values(resources).find(
        (resource) =>
          resource.Type === 'AWS::S3::BucketPolicy' &&
          resource.Properties.Bucket.Ref === bucketId(),
      )?.Properties.PolicyDocument.Statement as Statement[];
      expect(bucketPolicy).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:PutObject',
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': { 'Fn::GetAtt': [id('AuditArchiveDeliveryRole'), 'Arn'] },
              },
            },
          }),
        ]),
      );
    });

    it('lets the auditors read the archive, query the workgroup and change nothing', () => {
      const auditors = statementsOf(id('AuditQueriesAuditors'));
      const archive = auditors.filter(onArchive).flatMap(actions);
      expect(archive.length).toBeGreaterThan(0);
      expect(archive.filter((action) => !/^s3:(Get|List)/.test(action))).toEqual([]);
      const all = auditors.flatMap(actions);
      expect(
        all.filter((action) =>
          /Delete|^glue:(Create|Update|Put)|^kms:(Create|Put|Schedule|Disable|Revoke|Retire|Update)/.test(
            action,
          ),
        ),
      ).toEqual([]);
      expect(all).toEqual(
        expect.arrayContaining(['athena:StartQueryExecution', 'glue:GetTable', 'kms:Decrypt']),
      );
      const athena = auditors.filter((statement) =>
        actions(statement).some((a) => a.startsWith('athena:')),
      );
      expect(JSON.stringify(athena.map((statement) => statement.Resource))).toContain(
        id('AuditQueriesWorkGroup'),
      );
    });
  });

  describe('queries', () => {
    it('describes the records in a Glue table with the archive columns and a projected date partition', () => {
      const table = resources[id('AuditQueriesRecordsTable')]?.Properties.TableInput;
      expect(
        table.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [
          c.Name,
          c.Type,
        ]),
      ).toEqual(archiveColumns.map((column) => [column.name.toLowerCase(), column.type]));
      expect(table.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(
        expect.arrayContaining([
          'requestid',
          'at',
          'sub',
          'roles',
          'clientid',
          'tool',
          'input',
          'reason',
          'conversationid',
          'outcome',
          'statuscode',
          'errorcode',
          'errormessage',
          'durationms',
          'upstream',
        ]),
      );
      expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        'org.openx.data.jsonserde.JsonSerDe',
      );
      expect(table.PartitionKeys).toEqual([
        expect.objectContaining({ Name: 'day', Type: 'string' }),
      ]);
      expect(table.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.day.type': 'date',
        'projection.day.format': 'yyyy/MM/dd',
        'projection.day.range': expect.stringMatching(/^\d{4}\/\d{2}\/\d{2},NOW$/),
      });
      expect(JSON.stringify(table.Parameters['storage.location.template'])).toContain(
        // Athena fills in the partition's value where the template says ${day}.
        ['/audit/', '{day}/'].join('$'),
      );
    });

    it('runs queries in a workgroup that enforces its encrypted result location and a scan cutoff', () => {
      const workGroup = resources[id('AuditQueriesWorkGroup')]?.Properties.WorkGroupConfiguration;
      expect(workGroup).toMatchObject({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: {
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: { 'Fn::GetAtt': [id('AuditArchiveKey'), 'Arn'] },
          },
        },
      });
      expect(JSON.stringify(workGroup.ResultConfiguration.OutputLocation)).toContain(
        id('AuditQueriesResults'),
      );
    });

    it('saves the three auditor queries in the workgroup', () => {
      const queries = Object.values(stateful.findResources('AWS::Athena::NamedQuery')).map(
        (query) => query.Properties,
      );
      expect(queries.map((query) => query.Name).sort()).toEqual([
        'every-call-about-customer',
        'every-write-confirmed-by-person',
        'everything-user-did',
      ]);
      for (const query of queries)
        expect(query.WorkGroup).toEqual({ Ref: id('AuditQueriesWorkGroup') });
      const sql = (name: string) => queries.find((query) => query.Name === name)?.QueryString;
      expect(sql('everything-user-did')).toMatch(/WHERE sub = \?/);
      expect(sql('every-call-about-customer')).toMatch(/strpos\(input, \?\) > 0/);
      expect(sql('every-write-confirmed-by-person')).toMatch(
        /tool = 'confirm_operation'[\s\S]*tool = 'POST \/confirmations\/\{id\}'[\s\S]*'confirm'/,
      );
      for (const query of queries) expect(query.QueryString).toMatch(/day BETWEEN \? AND \?/);
    });
  });

  describe('dashboard and alarms', () => {
    it('builds the operations dashboard with each system, the queues and the failed writes', () => {
      const [dashboard] = Object.values(api.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboard?.Properties.DashboardName).toBe('Toolgate-dev-Api-operations');
      const body = JSON.stringify(dashboard?.Properties.DashboardBody);
      for (const system of systems) expect(body).toContain(`${system.displayName}: latency (ms)`);
      for (const metric of [
        'SystemCalls',
        'SystemErrors',
        'SystemLatency',
        'CircuitOpened',
        'BudgetWaits',
        'OperationsFailed',
        'ApproximateAgeOfOldestMessage',
      ])
        expect(body, metric).toContain(metric);
      expect(body).toContain('p95');
    });

    it('names the alarms after what they watch', () => {
      const names = Object.values(api.findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => alarm.Properties.AlarmName,
      );
      const stack = 'Toolgate-dev-Api';
      expect(names).toEqual(
        expect.arrayContaining([
          ...systems.map((system) => `${stack}-system-${system.id}-failing`),
          ...systems.map((system) => `${stack}-system-${system.id}-circuit-opened`),
          ...tools.filter(isWriteTool).map((tool) => `${stack}-operation-${tool.name}-failed`),
          `${stack}-queue-write-age`,
          `${stack}-queue-events-age`,
          `${stack}-dlq-write-not-empty`,
          `${stack}-dlq-events-not-empty`,
          `${stack}-dlq-audit-archive-not-empty`,
          `${stack}-audit-archive-delayed`,
          `${stack}-api-5xx-rate`,
          `${stack}-api-p99-latency`,
        ]),
      );
      api.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${stack}-system-erp-failing`,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(calls >= 5, errors / calls, 0)' }),
        ]),
        Threshold: 0.25,
      });
    });
  });
});
