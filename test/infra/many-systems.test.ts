import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systems } from '#layers/systems/registry.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import { type SynthesizedApp, synthesizeApp, violations } from '#test/helpers/cdk-app.ts';

/** How many systems a company imports on top of the shipped ones, five tools each. */
const { IMPORTED } = vi.hoisted(() => ({ IMPORTED: 20 }));

vi.mock('#layers/systems/declared/index.ts', async (original) => {
  const { declarationFiles } = await original<typeof import('#layers/systems/declared/index.ts')>();
  const { moreSystems } = await import('#test/helpers/many-systems.ts');
  return { declarationFiles: [...declarationFiles, ...moreSystems(declarationFiles, IMPORTED)] };
});

describe('CDK app with twenty more imported systems', () => {
  // One synth without bundling (test/infra/app.test.ts bundles once), with the VPC and per-user
  // credentials, the settings that add the most resources.
  let synth: SynthesizedApp;

  beforeAll(() => {
    synth = synthesizeApp({
      context: {
        vpcId: 'vpc-0123456789abcdef0',
        vpcSubnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
        vpcAvailabilityZones: 'eu-west-1a,eu-west-1b',
        vpcRouteTableIds: 'rtb-0123456789abcdef0,rtb-0fedcba9876543210',
        privateSystems: 'erp,logistics',
        crmOAuthClientId: 'toolgate-crm',
      },
    });
  }, 300_000);
  afterAll(() => synth.remove());

  it('deploys every tool of the twenty systems, a function and a route each', () => {
    expect(systems.filter((system) => /^facilities\d\d$/.test(system.id))).toHaveLength(IMPORTED);
    const functions = Object.values(synth.template('api').findResources('AWS::Lambda::Function'));
    const toolNames = functions
      .filter((fn) => String(fn.Properties.Description).startsWith('POST /tools/'))
      .map((fn) => fn.Properties.Environment.Variables.TOOL_NAME);
    expect(toolNames.sort()).toEqual(tools.map((tool) => tool.name).sort());
    const imported = tools.filter((tool) => /_\d\d$/.test(tool.name));
    expect(imported).toHaveLength(5 * IMPORTED);
    expect(imported.filter(isWriteTool)).toHaveLength(2 * IMPORTED);
  });

  it("keeps the API stack and each of its nested stacks under CloudFormation's 500 resources", () => {
    const counts = synth.resourceCounts('api');
    // The API stack and one nested stack per system: the shipped six and the twenty.
    expect(Object.keys(counts)).toHaveLength(1 + 6 + IMPORTED);
    for (const [stack, resources] of Object.entries(counts))
      expect(resources, stack).toBeLessThan(500);
  });

  it("keeps the write worker's settings and policy the same size whatever the number of write tools", () => {
    // Arrange: deploy-time values (table names, queue URLs, ARNs) stood in for by 100 characters
    const api = synth.template('api');
    const worker = Object.values(api.findResources('AWS::Lambda::Function')).find((fn) =>
      String(fn.Properties.Description).startsWith('Starts the saga of each confirmed write'),
    );
    const deployed = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      return join ? join[1].map(deployed).join(join[0]) : 'x'.repeat(100);
    };
    // Act
    const variables = worker?.Properties.Environment.Variables as Record<string, unknown>;
    const size = Object.entries(variables).reduce(
      (total, [key, value]) => total + key.length + deployed(value).length,
      0,
    );
    const starts = Object.values(api.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
        .filter((statement) => JSON.stringify(statement.Action).includes('states:StartExecution'))
        .map((statement) => statement.Resource),
    );
    // Assert: Lambda allows 4 KB of settings; the worker starts the sagas by their name prefix
    expect(tools.filter(isWriteTool).length).toBeGreaterThanOrEqual(46);
    expect(size).toBeLessThan(2048);
    expect(variables).not.toHaveProperty('SAGA_STATE_MACHINES');
    expect(starts).toHaveLength(1);
    expect(deployed(starts[0])).toMatch(/:stateMachine:[\w-]+-saga-\*$/);
  });

  it('reports no unacknowledged cdk-nag or Control Tower finding in any of the stacks', () => {
    expect(synth.error).toBeUndefined();
    expect(violations(synth.report)).toEqual([]);
  });
});
