import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditIndexes } from '#layers/audit/audit-table.ts';
import { type SynthesizedApp, synthesizeApp, violations } from '#test/helpers/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, any> };

describe('the audit table with provisioned write capacity (-c auditWriteCapacity=25-500)', () => {
  let synth: SynthesizedApp;
  let resources: Resource[];
  beforeAll(() => {
    synth = synthesizeApp({ context: { auditWriteCapacity: '25-500' } });
    resources = Object.values(synth.template('stateful').toJSON().Resources) as Resource[];
  }, 900_000);
  afterAll(() => synth.remove());

  const auditTable = () =>
    resources.find(
      (resource) =>
        resource.Type === 'AWS::DynamoDB::Table' &&
        resource.Properties.KeySchema?.[0]?.AttributeName === 'pk' &&
        resource.Properties.StreamSpecification !== undefined,
    );

  it('provisions the table and every index at the minimum, and scales each between the bounds at 70% use', () => {
    expect(synth.error).toBeUndefined();
    expect(violations(synth.report)).toEqual([]);
    const table = auditTable();
    expect(table?.Properties.BillingMode).toBeUndefined(); // CloudFormation's default: PROVISIONED
    expect(table?.Properties.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: 5,
      WriteCapacityUnits: 25,
    });
    for (const index of table?.Properties.GlobalSecondaryIndexes ?? [])
      expect(index.ProvisionedThroughput, index.IndexName).toEqual({
        ReadCapacityUnits: 5,
        WriteCapacityUnits: 25,
      });
    const writeTargets = resources.filter(
      (resource) =>
        resource.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
        String(resource.Properties.ScalableDimension).endsWith('WriteCapacityUnits'),
    );
    // The table and each of its indexes.
    expect(writeTargets).toHaveLength(1 + auditIndexes.length);
    for (const target of writeTargets)
      expect(target.Properties).toMatchObject({ MinCapacity: 25, MaxCapacity: 500 });
    const policies = resources.filter(
      (resource) => resource.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy',
    );
    expect(policies.length).toBe(2 * (1 + auditIndexes.length));
    for (const policy of policies)
      expect(policy.Properties.TargetTrackingScalingPolicyConfiguration.TargetValue).toBe(70);
  });
});
