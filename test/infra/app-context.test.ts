import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { resolveStage } from '#infra/config/configs.ts';
import { pascal } from '#infra/constructs/names.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import {
  functionsBehindRoutes,
  routeSettingsWithoutDependency,
  type SynthesizedApp,
  synthesizeApp,
  testApp,
  violations,
} from '#test/helpers/cdk-app.ts';
import { cfnLintOrSkip } from '#test/helpers/cfn-lint.ts';

const noContext = () => undefined;
const context = (values: Record<string, string>) => (key: string) => values[key];

/** Every `-c` setting a deployer may pass, at once: one synth covers them all. */
const tunedContext = {
  userRateLimit: '60/60',
  toolThrottle: '{"get_customer":{"rateLimit":5,"burstLimit":5}}',
  publicBaseUrl: 'https://tools.acme.example',
  mailTokenUrl: 'https://login.microsoftonline.com/acme-tenant/oauth2/v2.0/token',
  vpcId: 'vpc-0123456789abcdef0',
  vpcSubnetIds: 'subnet-0123456789abcdef0, subnet-0fedcba9876543210',
  vpcAvailabilityZones: 'eu-west-1a,eu-west-1b',
  vpcRouteTableIds: 'rtb-0123456789abcdef0,rtb-0fedcba9876543210',
  privateSystems: 'erp,logistics',
  logisticsDbIamUser: 'prx-0123456789abcdef0/toolgate_reader',
  openRoutes:
    '{"mcp":{"rateLimit":40,"reservedConcurrency":"off"},"webhooks":{"reservedConcurrency":5}}',
};

describe('CDK app with context settings', () => {
  // The one synth of this file (no bundling: test/infra/app.test.ts bundles once). A control stack
  // with a plain queue, which nobody acknowledged, shows that the policy checks can fail.
  let synth: SynthesizedApp;
  let api: Template;

  beforeAll(() => {
    synth = synthesizeApp({
      stage: 'dev-bea',
      context: tunedContext,
      extend: (app) => {
        new Queue(new Stack(app, 'Control'), 'PlainQueue');
        // And one in a nested stack of tools, whose template CDK does not hand the plugins itself.
        const nested = app.node.findAll().find((construct) => construct.node.id === 'ToolsCrm');
        if (nested) new Queue(nested, 'PlainNestedQueue');
      },
    });
    api = synth.template('api');
  }, 300_000);
  afterAll(() => synth.remove());

  describe('policy checks', () => {
    it('fails the synth on findings nobody acknowledged, and reports only those', () => {
      expect(synth.error).toBeDefined();
      const found = violations(synth.report);
      expect(found).toEqual(
        expect.arrayContaining([
          'AwsSolutions-SQS3 at Control/PlainQueue/Resource',
          'sqs_dlq_check at Control/PlainQueue/Resource',
          'AwsSolutions-SQS3 at Toolgate-dev-bea-Api/ToolsCrm/PlainNestedQueue/Resource',
          'sqs_dlq_check at Toolgate-dev-bea-Api/ToolsCrm/PlainNestedQueue/Resource',
        ]),
      );
      expect(found.filter((finding) => !/\/Plain(Nested)?Queue\//.test(finding))).toEqual([]);
    });

    it('leaves nothing for cfn-lint to report in any synthesized template', async (context) => {
      // Control, the two stacks, and the API stack's nested stacks of tools, one per system.
      expect(synth.templatePaths).toHaveLength(3 + new Set(tools.map((t) => t.systems[0])).size);
      const findings = await cfnLintOrSkip(synth.templatePaths, context);
      expect(findings).toEqual([]);
    }, 180_000);

    it('gets a finding from cfn-lint on a broken template, so the check above can fail', async (context) => {
      const path = join(synth.outdir, 'Broken.template.json');
      writeFileSync(
        path,
        JSON.stringify({
          Resources: {
            Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } },
          },
        }),
      );
      const findings = await cfnLintOrSkip([path], context);
      expect(findings.join('\n')).toMatch(/Broken\.template\.json:\d+ E\d+ .*soon/);
    }, 180_000);
  });

  describe('private systems', () => {
    const inVpc = (fn: { [key: string]: { VpcConfig?: unknown } }) => fn.Properties?.VpcConfig;

    it('runs exactly the functions that call a private system in the VPC, in the given subnets', () => {
      const functions = Object.entries(api.findResources('AWS::Lambda::Function'));
      const inside = functions.filter(([, fn]) => inVpc(fn)).map(([id]) => id);
      const privateTools = tools.filter((tool) =>
        tool.systems.some((system) => system === 'erp' || system === 'logistics'),
      );
      const expected = [
        ...privateTools.map((tool) => `Tool${pascal(tool.name)}Function`),
        ...privateTools.filter(isWriteTool).map((tool) => `Saga${pascal(tool.name)}StepFunction`),
        'ConversationPrefetchFunction',
        'McpFunction',
      ];
      expect(inside.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(expected.sort());
      // The legacy database's SQL tools reach it from inside the VPC, with its URL and secret.
      expect(expected).toEqual(
        expect.arrayContaining([
          'ToolGetShipmentTrackingFunction',
          'ToolGetDeliveryExceptionsFunction',
        ]),
      );
      // IAM database authentication through the RDS Proxy, as that user only, for those functions only.
      const connects = Object.entries(api.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('rds-db:connect'),
      );
      expect(connects.length).toBeGreaterThanOrEqual(2);
      for (const [, policy] of connects)
        expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(
          ':dbuser:prx-0123456789abcdef0/toolgate_reader',
        );
      for (const [id, fn] of functions) {
        const variables = fn.Properties.Environment.Variables;
        expect(variables.SYSTEM_LOGISTICS_DB_IAM_USER, id).toBe(
          'SYSTEM_LOGISTICS_BASE_URL' in variables ? 'toolgate_reader' : undefined,
        );
        const callsPrivate =
          'SYSTEM_ERP_BASE_URL' in variables || 'SYSTEM_LOGISTICS_BASE_URL' in variables;
        expect(Boolean(inVpc(fn)), id).toBe(callsPrivate);
      }
      const [id] = inside;
      expect(api.findResources('AWS::Lambda::Function')[id ?? '']?.Properties.VpcConfig).toEqual({
        SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        SecurityGroupIds: [
          {
            'Fn::GetAtt': [
              expect.stringMatching(/^PrivateNetworkFunctionSecurityGroup/),
              'GroupId',
            ],
          },
        ],
      });
    });

    it('gives the VPC a DynamoDB gateway endpoint and SQS and Secrets Manager interface endpoints open to those functions only', () => {
      const endpoints = Object.values(api.findResources('AWS::EC2::VPCEndpoint')).map(
        (endpoint) => endpoint.Properties,
      );
      const service = (endpoint: { ServiceName: unknown }) =>
        /\.([a-z]+)"\]/.exec(JSON.stringify(endpoint.ServiceName))?.[1];
      expect(
        endpoints.map((endpoint) => [service(endpoint), endpoint.VpcEndpointType]).sort(),
      ).toEqual([
        ['dynamodb', 'Gateway'],
        ['secretsmanager', 'Interface'],
        ['sqs', 'Interface'],
      ]);
      for (const endpoint of endpoints) expect(endpoint.VpcId).toBe('vpc-0123456789abcdef0');
      const gateway = endpoints.find((endpoint) => endpoint.VpcEndpointType === 'Gateway');
      expect(gateway?.RouteTableIds).toEqual(['rtb-0123456789abcdef0', 'rtb-0fedcba9876543210']);
      for (const endpoint of endpoints.filter((e) => e.VpcEndpointType === 'Interface')) {
        expect(endpoint.PrivateDnsEnabled).toBe(true);
        expect(endpoint.SubnetIds).toEqual([
          'subnet-0123456789abcdef0',
          'subnet-0fedcba9876543210',
        ]);
      }
      const ingress = Object.values(api.findResources('AWS::EC2::SecurityGroup')).flatMap(
        (group) => group.Properties.SecurityGroupIngress ?? [],
      );
      expect(ingress).toEqual([]);
      const rules = Object.values(api.findResources('AWS::EC2::SecurityGroupIngress')).map(
        (rule) => rule.Properties,
      );
      expect(rules).toHaveLength(2);
      for (const rule of rules) {
        expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
        expect(JSON.stringify(rule.SourceSecurityGroupId)).toContain(
          'PrivateNetworkFunctionSecurityGroup',
        );
      }
    });

    it('names every VPC setting that is missing or wrong', () => {
      const network = (values: Record<string, string>) => () =>
        resolveStage('dev', values, ['crm', 'erp']);
      expect(network({ vpcId: 'vpc-0123456789abcdef0' })).toThrow(
        /-c vpcSubnetIds=.*-c vpcAvailabilityZones=.*-c vpcRouteTableIds=.*-c privateSystems=<crm\|erp>/,
      );
      expect(
        network({
          vpcId: 'vpc-0123456789abcdef0',
          vpcSubnetIds: 'subnet-0123456789abcdef0',
          vpcAvailabilityZones: 'eu-west-1a',
          privateSystems: 'sap',
          vpcEndpoints: 'existing',
        }),
      ).toThrow(
        /^The VPC settings go together; fix: -c privateSystems=<crm\|erp>,… \(the systems reachable only inside the VPC\)$/,
      );
      const { network: existing } = resolveStage(
        'dev',
        {
          vpcId: 'vpc-0123456789abcdef0',
          vpcSubnetIds: 'subnet-0123456789abcdef0',
          vpcAvailabilityZones: 'eu-west-1a',
          privateSystems: 'erp',
          vpcEndpoints: 'existing',
        },
        ['crm', 'erp'],
      );
      expect(existing).toEqual({
        vpcId: 'vpc-0123456789abcdef0',
        subnets: [{ id: 'subnet-0123456789abcdef0', availabilityZone: 'eu-west-1a' }],
        privateSystems: ['erp'],
        createEndpoints: false,
      });
    });
  });

  describe('stages', () => {
    it('takes per-tool throttling, the user limit and the public address from context', () => {
      api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        RouteSettings: Match.objectLike({
          'POST /tools/get_customer': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 5 },
          'POST /tools/create_order': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        }),
      });
      api.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ USER_RATE_LIMIT: '60/60' }) },
      });
      // The address in front of the API (a CloudFront front, a custom domain), for every function.
      const functions = Object.values(api.findResources('AWS::Lambda::Function'));
      expect(
        functions.filter(
          (fn) =>
            fn.Properties.Environment.Variables.PUBLIC_BASE_URL !== 'https://tools.acme.example',
        ),
      ).toEqual([]);
      expect(routeSettingsWithoutDependency(api)).toEqual([]);
    });

    it('gives every function that calls the mail system its token URL, and no other function', () => {
      const functions = Object.values(api.findResources('AWS::Lambda::Function')).map(
        (fn) => fn.Properties.Environment.Variables as Record<string, string>,
      );
      const mailers = functions.filter((variables) => variables.SYSTEM_MAIL_BASE_URL);
      expect(mailers.length).toBeGreaterThanOrEqual(2);
      for (const variables of mailers)
        expect(variables.SYSTEM_MAIL_TOKEN_URL).toBe(tunedContext.mailTokenUrl);
      expect(
        functions.filter(
          (variables) => !variables.SYSTEM_MAIL_BASE_URL && variables.SYSTEM_MAIL_TOKEN_URL,
        ),
      ).toEqual([]);
    });

    it('takes the limits of the routes without the authorizer from context, merged over the defaults', () => {
      api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        RouteSettings: Match.objectLike({
          'POST /mcp': { ThrottlingRateLimit: 40, ThrottlingBurstLimit: 50 },
          'POST /webhooks/{source}': { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 },
        }),
      });
      const functions = api.findResources('AWS::Lambda::Function');
      const open = functionsBehindRoutes(api, (r) => r.authorizationType === 'NONE');
      const reserved = (key: string) =>
        functions[open.get(key) ?? '']?.Properties.ReservedConcurrentExecutions;
      expect(reserved('POST /mcp')).toBeUndefined();
      expect(reserved('POST /webhooks/{source}')).toBe(5);
      expect(reserved('GET /health')).toBe(2);
    });

    it('leaves out every reserved concurrency with reservedConcurrency=off', () => {
      const { openRoutes } = resolveStage('dev', { reservedConcurrency: 'off' }, []);
      expect(Object.values(openRoutes).map((limits) => limits.reservedConcurrency)).toEqual([
        'off',
        'off',
        'off',
        'off',
      ]);
      expect(openRoutes.mcp.rateLimit).toBe(25);
    });

    it('names what is wrong in a context setting', () => {
      expect(() => buildApp(testApp(), 'dev-cy', context({ userRateLimit: 'lots' }))).toThrow(
        /userRateLimit must be <requests>\/<seconds>/,
      );
      expect(() =>
        buildApp(
          testApp(),
          'dev-di',
          context({ toolThrottle: '{"get_customer":{"rateLimit":5}}' }),
        ),
      ).toThrow(/toolThrottle.get_customer: write it as/);
      expect(() =>
        buildApp(
          testApp(),
          'dev-ed',
          context({ toolThrottle: '{"nope":{"rateLimit":1,"burstLimit":1}}' }),
        ),
      ).toThrow(/toolThrottle names tools that do not exist: nope/);
      const openRoutes = (value: string) => () => resolveStage('dev', { openRoutes: value }, []);
      expect(openRoutes('{"mcp":{"rateLimit":0}}')).toThrow(
        /openRoutes\.mcp\.rateLimit: .*write it as/,
      );
      expect(openRoutes('{"admin":{"rateLimit":1}}')).toThrow(/openRoutes: .*admin/);
      expect(openRoutes('{"webhooks":{"reservedConcurrency":1.5}}')).toThrow(
        /openRoutes\.webhooks\.reservedConcurrency/,
      );
      expect(openRoutes('nope')).toThrow(/openRoutes is not JSON/);
      expect(() => resolveStage('dev', { publicBaseUrl: 'tools.acme.example' }, [])).toThrow(
        /publicBaseUrl must be a URL/,
      );
      expect(() => resolveStage('dev', { reservedConcurrency: '10' }, [])).toThrow(
        /reservedConcurrency takes only "off"/,
      );
    });

    it('refuses prod without an issuer, audience and system URLs, naming each', () => {
      expect(() => buildApp(testApp(), 'prod', noContext)).toThrow(
        /-c crmBaseUrl=.*-c issuerUrl=.*-c audience=/,
      );
    });

    it('builds a per-developer stage from the dev defaults', () => {
      expect(synth.stacks.api.stackName).toBe('Toolgate-dev-bea-Api');
      const { api: personal } = buildApp(testApp(), 'dev-ana', noContext);
      expect(personal.stackName).toBe('Toolgate-dev-ana-Api');
    });

    it('refuses an unknown stage', () => {
      expect(() => buildApp(testApp(), 'qa', noContext)).toThrow(/Unknown stage "qa"/);
    });
  });
});
