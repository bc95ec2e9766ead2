import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';

type Resource = { Type: string; Properties: Record<string, any> };

describe('WritePath', () => {
  let api: Template;
  let stackName: string;

  beforeAll(() => {
    const stacks = buildApp(new App(), 'dev', () => undefined);
    api = Template.fromStack(stacks.api);
    stackName = stacks.api.stackName;
  });

  it('logs every saga to a log group under /aws/vendedlogs/states/, named after the stack', () => {
    const resources = api.toJSON().Resources as Record<string, Resource>;
    const machines = Object.values(api.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(tools.filter(isWriteTool).length);
    const names = machines.map((machine) => {
      const [destination] = machine.Properties.LoggingConfiguration.Destinations;
      const [logicalId] = destination.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'];
      return resources[logicalId]?.Properties.LogGroupName;
    });
    for (const name of names) expect(name).toMatch(/^\/aws\/vendedlogs\/states\/[\w./#-]+$/);
    expect(names.sort()).toEqual(
      tools
        .filter(isWriteTool)
        .map((tool) => `/aws/vendedlogs/states/${stackName}-${tool.name}`)
        .sort(),
    );
  });
});
