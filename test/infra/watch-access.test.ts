import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { webhookLogIndex } from '#layers/webhooks/delivery-log.ts';
import { templateWithNested } from '#test/helpers/cdk-app.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

describe('the functions operators watch the gateway with', () => {
  let api: Template;
  let stateful: Template;

  beforeAll(() => {
    // Grants do not depend on the bundles: skipping esbuild keeps this synth to seconds.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = buildApp(app, 'dev', () => undefined);
    api = templateWithNested(stacks.api);
    stateful = Template.fromStack(stacks.stateful);
  }, 300_000);

  /** Every statement of the function described `description`, with its actions as a list. */
  const statementsOf = (description: string) => {
    const functions = api.findResources('AWS::Lambda::Function');
    const ids = Object.keys(functions).filter(
      (id) => functions[id]?.Properties.Description === description,
    );
    expect(ids, description).toHaveLength(1);
    const role = functions[ids[0] as string]?.Properties.Role['Fn::GetAtt'][0];
    return Object.values(api.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .map((statement) => ({ ...statement, Action: [statement.Action].flat().sort() }));
  };
  const onTable = (statements: ReturnType<typeof statementsOf>, table: string) =>
    statements.filter((statement) => JSON.stringify(statement.Resource).includes(table));

  it('gives the webhook table a sparse delivery-log index keyed by filter and time', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: webhookLogIndex.name,
          KeySchema: [
            { AttributeName: webhookLogIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: webhookLogIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('lets GET /webhooks/events only query the log index and read counters; its audit record goes to its log, not the table', () => {
    const statements = statementsOf('GET /webhooks/events');
    const webhooks = onTable(statements, 'WebhookTable');
    expect(webhooks.map((statement) => statement.Action)).toEqual(
      expect.arrayContaining([['dynamodb:BatchGetItem'], ['dynamodb:Query']]),
    );
    expect(webhooks).toHaveLength(2);
    const query = webhooks.find((statement) => statement.Action.includes('dynamodb:Query'));
    expect(JSON.stringify(query?.Resource)).toContain(`/index/${webhookLogIndex.name}`);
    const actions = statements.flatMap((statement) => statement.Action);
    for (const action of ['dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:UpdateItem'])
      expect(onTable(statements, 'WebhookTable').flatMap((s) => s.Action)).not.toContain(action);
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(actions).not.toContain('sqs:SendMessage');
    expect(onTable(statements, 'AuditTable')).toEqual([]);
  });

  it('lets GET /systems read no secret and write nothing (its audit record goes to its log)', () => {
    const statements = statementsOf('GET /systems');
    const actions = statements.flatMap((statement) => statement.Action);
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(
      actions.filter((action) => /^dynamodb:.*(Put|Update|Delete|Write)/.test(action)),
    ).toEqual([]);
    expect(onTable(statements, 'AuditTable')).toEqual([]);
  });

  it('lets the receiving function log deliveries and count them in the webhook table only', () => {
    const statements = statementsOf('POST /webhooks/{source}');
    const webhooks = onTable(statements, 'WebhookTable').flatMap((statement) => statement.Action);
    expect(webhooks.sort()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });
});
