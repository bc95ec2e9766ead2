import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { templateWithNested } from '#test/helpers/cdk-app.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** The GSIs of the table whose logical id starts with `prefix`: name → keys and projection. */
const indexesOf = (template: Template, prefix: string) => {
  const tables = template.findResources('AWS::DynamoDB::Table');
  const id = Object.keys(tables).find((candidate) => candidate.startsWith(prefix));
  expect(id, prefix).toBeDefined();
  const indexes = (tables[id as string]?.Properties.GlobalSecondaryIndexes ?? []) as {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: string }[];
    Projection: { ProjectionType: string };
  }[];
  return Object.fromEntries(
    indexes.map((index) => [
      index.IndexName,
      {
        keys: index.KeySchema.map((key) => key.AttributeName),
        projection: index.Projection.ProjectionType,
      },
    ]),
  );
};

describe('the indexes of GET /operations and GET /audit', () => {
  let api: Template;
  let stateful: Template;

  beforeAll(() => {
    // Indexes and grants do not depend on the bundles: skipping esbuild keeps this to seconds.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = buildApp(app, 'dev', () => undefined);
    api = templateWithNested(stacks.api);
    stateful = Template.fromStack(stacks.stateful);
  }, 300_000);

  /** The resources each DynamoDB action of a function is granted on, as template text. */
  const grantsOf = (description: string): Record<string, string[]> => {
    const functions = api.findResources('AWS::Lambda::Function');
    const fn = Object.values(functions).find(
      (candidate) => candidate.Properties.Description === description,
    );
    expect(fn, description).toBeDefined();
    const role = fn?.Properties.Role['Fn::GetAtt'][0];
    const grants: Record<string, string[]> = {};
    for (const policy of Object.values(api.findResources('AWS::IAM::Policy'))) {
      if (!policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === role)) continue;
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        for (const action of [statement.Action].flat()) {
          if (!action.startsWith('dynamodb:')) continue;
          const resources = [statement.Resource].flat().map((resource) => JSON.stringify(resource));
          grants[action] = [...(grants[action] ?? []), ...resources].sort();
        }
      }
    }
    return grants;
  };
  /** A table's ARN in the api stack (an import from the stateful stack), or one of its indexes. */
  const onTable = (resources: string[], table: string) =>
    resources
      .filter((resource) => resource.includes(table))
      .map((resource) => /\/index\/([A-Za-z]+)/.exec(resource)?.[1] ?? 'table')
      .sort();

  it('gives the audit table an index per conversation, request id, day and tool, and none for ids (a lookup goes to the day)', () => {
    // Act
    const indexes = indexesOf(stateful, 'AuditTable');
    // Assert
    expect(indexes).toEqual({
      byTool: { keys: ['tool', 'sk'], projection: 'ALL' },
      byConversation: { keys: ['conversationId', 'sk'], projection: 'ALL' },
      byRequest: { keys: ['requestId', 'sk'], projection: 'ALL' },
      byDay: { keys: ['day', 'sk'], projection: 'ALL' },
    });
  });

  it('gives the operations table an index per owner, status and tool, and one of every operation', () => {
    // Act
    const indexes = indexesOf(stateful, 'OperationsTable');
    // Assert
    expect(indexes).toEqual({
      byOwner: { keys: ['owner', 'createdAt'], projection: 'ALL' },
      byStatus: { keys: ['status', 'createdAt'], projection: 'ALL' },
      byTool: { keys: ['tool', 'createdAt'], projection: 'ALL' },
      byCreated: { keys: ['listed', 'createdAt'], projection: 'ALL' },
    });
  });

  it('lets the audit search Query only the audit table’s key and indexes, and Scan nothing', () => {
    // Act
    const grants = grantsOf('GET /audit, GET /audit/{auditId}');
    // Assert
    expect(grants).not.toHaveProperty('dynamodb:Scan');
    expect(onTable(grants['dynamodb:Query'] ?? [], 'AuditTable')).toEqual([
      'byConversation',
      'byDay',
      'byRequest',
      'byTool',
      'table',
    ]);
    expect(grants['dynamodb:Query']?.some((r) => r.includes('OperationsTable'))).toBe(false);
    expect(onTable(grants['dynamodb:GetItem'] ?? [], 'AuditTable')).toEqual([]);
  });

  it('lets the operations function Query only the operations indexes, never the table itself', () => {
    // Act
    const grants = grantsOf('GET /operations/{id}, GET /operations');
    // Assert
    expect(grants).not.toHaveProperty('dynamodb:Scan');
    expect(onTable(grants['dynamodb:Query'] ?? [], 'OperationsTable')).toEqual([
      'byCreated',
      'byOwner',
      'byStatus',
      'byTool',
    ]);
    expect(grants['dynamodb:Query']?.some((r) => r.includes('AuditTable'))).toBe(false);
  });
});
