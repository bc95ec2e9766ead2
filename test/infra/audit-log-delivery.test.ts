import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionEntry, functions } from '#functions/manifest.ts';
import { buildApp } from '#infra/app.ts';
import { tools } from '#layers/tools/registry.ts';
import { templateWithNested } from '#test/helpers/cdk-app.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

type Resources = ReturnType<Template['findResources']>;

describe('the audit lines’ delivery to the audit table', () => {
  let api: Template;
  let lambdas: Resources;

  beforeAll(() => {
    // Subscriptions and grants do not depend on the bundles: skipping esbuild keeps this to seconds.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    api = templateWithNested(buildApp(app, 'dev', () => undefined).api);
    lambdas = api.findResources('AWS::Lambda::Function');
  }, 300_000);

  /** The logical id of the function whose description is `description`. */
  const functionId = (description: string): string => {
    const id = Object.keys(lambdas).find(
      (candidate) => lambdas[candidate]?.Properties.Description === description,
    );
    expect(id, description).toBeDefined();
    return id as string;
  };
  /** Logical id of each function's log group, by its function's logical id. */
  const logGroupOf = (id: string): string =>
    lambdas[id]?.Properties.LoggingConfig.LogGroup.Ref as string;
  const ingestId = () =>
    functionId('Writes the audit lines of the auditing functions to the audit table');

  it('subscribes the ingest to the log group of every function that audits, for audit lines only', () => {
    // Arrange: every auditing entry, once per tool for the per-tool one
    const auditing = (functions as readonly FunctionEntry[]).filter((entry) => entry.audits);
    const expected = auditing.flatMap((entry) =>
      entry.per === 'tool' ? tools.map(() => entry) : [entry],
    );
    // Act
    const filters = Object.values(api.findResources('AWS::Logs::SubscriptionFilter'));
    // Assert
    expect(filters).toHaveLength(expected.length);
    const ingestArn = { 'Fn::GetAtt': [ingestId(), 'Arn'] };
    for (const filter of filters) {
      expect(filter.Properties.FilterPattern).toBe('{ $.audit IS TRUE }');
      expect(filter.Properties.DestinationArn).toEqual(ingestArn);
    }
    const subscribed = filters.map((filter) => filter.Properties.LogGroupName.Ref).sort();
    const toolGroups = Object.keys(lambdas)
      .filter((id) => lambdas[id]?.Properties.Description?.startsWith('POST /tools/'))
      .map(logGroupOf);
    expect(subscribed).toEqual(expect.arrayContaining(toolGroups));
    expect(subscribed).toContain(logGroupOf(functionId('GET /audit, GET /audit/{auditId}')));
    expect(subscribed).not.toContain(logGroupOf(ingestId()));
    expect(subscribed).not.toContain(logGroupOf(functionId('GET /health')));
  });

  it('gives no function but the ingest write access to the audit table, and the ingest only BatchWriteItem', () => {
    // Act: every DynamoDB statement on the audit table, by the role it is attached to
    const writes: string[][] = [];
    for (const policy of Object.values(api.findResources('AWS::IAM::Policy'))) {
      const role = String(policy.Properties.Roles[0].Ref);
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        if (!JSON.stringify(statement.Resource).includes('AuditTable')) continue;
        const actions = [statement.Action].flat();
        const written = actions.filter(
          (action) => !['dynamodb:Query', 'dynamodb:GetItem'].includes(action),
        );
        if (written.length > 0) writes.push([role.replace(/[0-9A-F]{8}$/, ''), ...written]);
      }
    }
    // Assert
    const ingestRole = lambdas[ingestId()]?.Properties.Role['Fn::GetAtt'][0] as string;
    expect(writes).toEqual([[ingestRole.replace(/[0-9A-F]{8}$/, ''), 'dynamodb:BatchWriteItem']]);
  });

  it('sends a delivery the ingest still fails after two retries to an encrypted queue, and alarms on it', () => {
    // Act
    const configs = Object.values(api.findResources('AWS::Lambda::EventInvokeConfig'));
    const queues = api.findResources('AWS::SQS::Queue');
    // Assert
    const config = configs.find(
      (candidate) => candidate.Properties.FunctionName.Ref === ingestId(),
    );
    expect(config?.Properties.MaximumRetryAttempts).toBe(2);
    const destination = config?.Properties.DestinationConfig.OnFailure.Destination;
    const queueId = destination['Fn::GetAtt'][0] as string;
    expect(queues[queueId]?.Properties.SqsManagedSseEnabled).toBe(true);
    api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Toolgate-dev-Api-audit-ingest-failed',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
  });

  it('lets CloudWatch Logs invoke the ingest from the auditing log groups only', () => {
    // Act
    const permissions = Object.values(api.findResources('AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.Principal === 'logs.amazonaws.com',
    );
    // Assert
    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) {
      expect(permission.Properties.FunctionName).toEqual({ 'Fn::GetAtt': [ingestId(), 'Arn'] });
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain('Logs');
    }
  });
});
