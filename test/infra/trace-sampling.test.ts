import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { defaultTraceSampling, TraceSampling } from '#infra/constructs/trace-sampling.ts';
import { templateWithNested } from '#test/helpers/cdk-app.ts';

describe('TraceSampling', () => {
  let api: Template;

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    api = templateWithNested(buildApp(app, 'dev', () => undefined).api);
  }, 300_000);

  it('gives the API stack one rule tracing a small reservoir and 5% of the gateway functions', () => {
    // Arrange: the api stack of the dev stage, synthesized above
    // Act
    const rules = api.findResources('AWS::XRay::SamplingRule');
    // Assert
    expect(Object.values(rules)).toHaveLength(1);
    api.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({
        FixedRate: 0.05,
        ReservoirSize: 1,
        ServiceType: 'AWS::Lambda::Function',
        Priority: Match.anyValue(),
        RuleName: Match.stringLikeRegexp('^[\\w-]{1,32}$'),
      }),
    });
    expect(defaultTraceSampling.fixedRate).toBe(0.05);
  });

  it('keeps the rule below the default rule (priority 10000) so it takes precedence', () => {
    const rule = Object.values(api.findResources('AWS::XRay::SamplingRule'))[0];
    expect(rule?.Properties.SamplingRule.Priority).toBeLessThan(10_000);
  });

  it('takes another fixed rate and reservoir as settings', () => {
    // Arrange
    const stack = new Stack(new App(), 'Sampling');
    // Act
    new TraceSampling(stack, 'Traces', { fixedRate: 0.02, reservoirPerSecond: 0 });
    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ FixedRate: 0.02, ReservoirSize: 0 }),
    });
  });

  it('refuses a rate outside 0..1 when synthesizing', () => {
    const stack = new Stack(new App(), 'Sampling');
    expect(() => new TraceSampling(stack, 'Traces', { fixedRate: 5 })).toThrow(/between 0 and 1/);
  });
});
