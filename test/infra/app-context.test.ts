import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import {
  routeSettingsWithoutDependency,
  type SynthesizedApp,
  synthesizeApp,
  testApp,
  violations,
} from '#test/helpers/cdk-app.ts';

const noContext = () => undefined;
const context = (values: Record<string, string>) => (key: string) => values[key];

/** Every `-c` setting a deployer may pass, at once: one synth covers them all. */
const tunedContext = {
  userRateLimit: '60/60',
  toolThrottle: '{"get_customer":{"rateLimit":5,"burstLimit":5}}',
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
      extend: (app) => new Queue(new Stack(app, 'Control'), 'PlainQueue'),
    });
    api = synth.template('api');
  }, 300_000);

  describe('policy checks', () => {
    it('fails the synth on findings nobody acknowledged, and reports only those', () => {
      expect(synth.error).toBeDefined();
      const found = violations(synth.report);
      expect(found.join('\n')).toContain('AwsSolutions-SQS3 at Control/PlainQueue/Resource');
      expect(found.filter((finding) => !finding.includes(' at Control/'))).toEqual([]);
    });
  });

  describe('stages', () => {
    it('takes per-tool throttling and the user limit from context', () => {
      api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        RouteSettings: Match.objectLike({
          'POST /tools/get_customer': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 5 },
          'POST /tools/create_order': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        }),
      });
      api.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ USER_RATE_LIMIT: '60/60' }) },
      });
      expect(routeSettingsWithoutDependency(api)).toEqual([]);
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
