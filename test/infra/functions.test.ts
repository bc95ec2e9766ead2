import { readFileSync } from 'node:fs';
import {
  AppConfigDataClient,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { functions } from '#functions/manifest.ts';
import { stages } from '#infra/config/configs.ts';
import { decisionRole, operationRole } from '#layers/composition/roles.ts';
import { runtimeEnvSchema } from '#layers/config/env.ts';
import { canonicalJson } from '#layers/digest/input-digest.ts';
import { defaultPolicyFile } from '#layers/policy/policy-file.ts';
import { loadPolicyText } from '#layers/policy/policy-yaml.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import {
  sagaStateMachineArn,
  sagaStateMachineName,
  sagaStateMachinePrefix,
} from '#layers/writes/saga-names.ts';
import { writeQueueMaxReceiveCount } from '#layers/writes/wait-schedule.ts';
import { synthesizeApp } from '#test/helpers/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, any> };

const pseudo: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
};
/** An ARN the template builds with Fn::Join of strings and pseudo parameters, as deployed. */
const resolveArn = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  if (ref && pseudo[ref]) return pseudo[ref];
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(resolveArn).join(join[0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
};

describe('The functions as the CDK app deploys them', () => {
  let api: Template;
  let stateful: Template;
  let stackName: string;

  beforeAll(() => {
    // The template does not depend on the bundles: one unbundled synth keeps this to seconds.
    const synth = synthesizeApp();
    api = synth.template('api');
    stateful = synth.template('stateful');
    stackName = synth.stacks.api.stackName;
    synth.remove();
  }, 300_000);

  /** A function's environment as the template sets it, with deploy-time values stood in for. */
  const environmentOf = (description: string): Record<string, string> => {
    const fn = Object.values(api.findResources('AWS::Lambda::Function')).find((candidate) =>
      String(candidate.Properties.Description).startsWith(description),
    );
    if (!fn) throw new Error(`no function described "${description}"`);
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(variables).map(([key, value]) => {
        if (typeof value === 'string') return [key, value];
        if (key === 'SAGA_STATE_MACHINE_PREFIX') return [key, resolveArn(value)];
        if (key.endsWith('_URL')) return [key, `https://deploy-time.invalid/${key}`];
        if (key.endsWith('_TOPIC_ARN'))
          return [key, `arn:aws:sns:us-east-1:000000000000:deploy-${key}`];
        return [key, `deploy-${key}`];
      }),
    );
  };
  const stubEnvironment = (environment: Record<string, string>) => {
    for (const key of Object.keys(runtimeEnvSchema.shape)) vi.stubEnv(key, undefined);
    for (const [key, value] of Object.entries(environment)) vi.stubEnv(key, value);
  };
  afterEach(() => vi.unstubAllEnvs());

  it('starts every function of the manifest with the environment the CDK app gives it, and no more', async () => {
    // The policy, as the CDK app deploys it through AppConfig: read at every cold start that needs it.
    const appConfig = mockClient(AppConfigDataClient);
    appConfig.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 'token' });
    appConfig.on(GetLatestConfigurationCommand).resolves({
      NextPollConfigurationToken: 'next',
      Configuration: new TextEncoder().encode(
        canonicalJson(
          loadPolicyText(readFileSync(defaultPolicyFile, 'utf8'), 'policy.yaml').document,
        ),
      ) as never,
    });
    for (const entry of functions) {
      const description =
        'per' in entry ? entry.description.replace('{tool}', 'create_order') : entry.description;
      vi.resetModules();
      stubEnvironment(environmentOf(description));
      await expect(import(`#${entry.entry}`), entry.name).resolves.toHaveProperty('handler');
    }
    appConfig.restore();
  });

  it("writes every gateway function's logs as JSON without Lambda's own INFO lines", () => {
    const gateway = Object.values(api.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'toolgate',
    );
    expect(gateway.length).toBeGreaterThanOrEqual(functions.length);
    for (const fn of gateway)
      expect(fn.Properties.LoggingConfig, fn.Properties.Description).toMatchObject({
        LogFormat: 'JSON',
        SystemLogLevel: 'WARN',
        // Audit lines are INFO: a higher application level would drop them before the subscription.
        ApplicationLogLevel: 'INFO',
      });
    // Powertools Tracer is off unless the deployment turns it on (-c powertoolsTracer=on).
    for (const fn of gateway)
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBeUndefined();
  });

  it('gives a function only the stores its role uses, and a role missing one fails its cold start naming it', () => {
    const operations = environmentOf('GET /operations/{id}');
    expect(operations).not.toHaveProperty('CONFIRMATIONS_TABLE_NAME');
    expect(() => operationRole(operations)).not.toThrow();
    expect(() => decisionRole(operations)).toThrow(
      'The confirmations function needs CONFIRMATIONS_TABLE_NAME, WRITE_QUEUE_URL, which are not set',
    );
    const step = environmentOf('Saga steps of create_order');
    for (const name of ['AUDIT_TABLE_NAME', 'JWT_ISSUER', 'JWT_AUDIENCE'])
      expect(step, name).not.toHaveProperty(name);
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
        .map((tool) => `/aws/vendedlogs/states/${stackName}-saga-${tool.name}`)
        .sort(),
    );
  });

  it('names each saga after the stack and its tool, and the worker finds them by that name', () => {
    const machines = Object.values(api.findResources('AWS::StepFunctions::StateMachine'));
    const prefix = sagaStateMachinePrefix(stackName);
    expect(machines.map((machine) => machine.Properties.StateMachineName).sort()).toEqual(
      tools
        .filter(isWriteTool)
        .map((tool) => sagaStateMachineName(prefix, tool.name))
        .sort(),
    );
    const worker = environmentOf('Starts the saga of each confirmed write');
    expect(worker.SAGA_STATE_MACHINE_PREFIX).toBe(
      `arn:aws:states:us-east-1:000000000000:stateMachine:${prefix}`,
    );
    expect(sagaStateMachineArn(worker.SAGA_STATE_MACHINE_PREFIX as string, 'create_order')).toBe(
      `arn:aws:states:us-east-1:000000000000:stateMachine:${stackName}-saga-create_order`,
    );
  });

  it("lets a write wait out its window on the queue: the worker's settings, maxReceiveCount and retention agree", () => {
    const wait = stages.dev?.writeWait;
    if (!wait) throw new Error('dev stage has no writeWait');
    const worker = environmentOf('Starts the saga of each confirmed write');
    expect(worker).toMatchObject({
      WRITE_WAIT_WINDOW_SECONDS: String(wait.windowSeconds),
      WRITE_WAIT_FIRST_DELAY_SECONDS: String(wait.firstDelaySeconds),
      WRITE_QUEUE_URL: expect.any(String),
      OPERATIONS_TABLE_NAME: expect.any(String),
    });
    const writeQueue = stateful.toJSON().Resources.WriteQueue141C819B as Resource | undefined;
    expect(writeQueue?.Properties.RedrivePolicy.maxReceiveCount).toBe(
      writeQueueMaxReceiveCount(wait),
    );
    expect(writeQueue?.Properties.MessageRetentionPeriod).toBeGreaterThan(wait.windowSeconds);
  });

  it('alarms on every write operation that ends failed, per write tool', () => {
    for (const tool of tools.filter(isWriteTool)) {
      api.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `Toolgate-dev-Api-operation-${tool.name}-failed`,
        Namespace: 'Toolgate',
        MetricName: 'OperationsFailed',
        // CloudFormation gets the dimensions sorted by name: upper case first.
        Dimensions: [
          { Name: 'Tool', Value: tool.name },
          { Name: 'service', Value: 'toolgate' },
        ],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: Match.anyValue(),
      });
    }
  });
});
