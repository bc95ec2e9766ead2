import { Names } from 'aws-cdk-lib';
import { CfnSamplingRule } from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';

/** The sampling the gateway's functions ask X-Ray for, and what `npm run bench`'s cost model reads. */
export const defaultTraceSampling = {
  /** Traces recorded each second before the fixed rate applies, shared by every instance. */
  reservoirPerSecond: 1,
  /** Share of the calls past the reservoir that are traced. */
  fixedRate: 0.05,
} as const;

/**
 * What Lambda's active tracing samples when nothing upstream decided (an HTTP API never does):
 * the first call each second and 5% of the rest, fixed by Lambda ("This sampling rate cannot be
 * configured for Lambda functions", Lambda developer guide, Using AWS Lambda with AWS X-Ray).
 */
export const lambdaActiveTracingSampling = { reservoirPerSecond: 1, fixedRate: 0.05 } as const;

export interface TraceSamplingProps {
  /**
   * Share of matching requests traced once the reservoir is spent, 0 to 1.
   * @default 0.05
   */
  readonly fixedRate?: number;
  /**
   * Requests traced each second before the fixed rate applies, across every instance.
   * @default 1
   */
  readonly reservoirPerSecond?: number;
  /**
   * Rule priority: lower wins over X-Ray's default rule (10000).
   * @default 100
   */
  readonly priority?: number;
}

/**
 * An X-Ray sampling rule for the gateway's functions (service type `AWS::Lambda::Function`):
 * a small reservoir and a fixed rate of a few percent. It applies where an X-Ray SDK or a service
 * that reads sampling rules makes the decision; Lambda's active tracing behind an HTTP API samples
 * with its own fixed rule (`lambdaActiveTracingSampling`), which happens to be this default.
 * Errors are not sampled after the fact: a sampling decision is taken when a request starts
 * (README: Cost model, traces).
 */
export class TraceSampling extends Construct {
  readonly rule: CfnSamplingRule;

  constructor(scope: Construct, id: string, props: TraceSamplingProps = {}) {
    super(scope, id);
    const fixedRate = props.fixedRate ?? defaultTraceSampling.fixedRate;
    const reservoirSize = props.reservoirPerSecond ?? defaultTraceSampling.reservoirPerSecond;
    if (!(fixedRate >= 0 && fixedRate <= 1))
      throw new Error(`TraceSampling: fixedRate must be between 0 and 1, not ${fixedRate}`);
    if (!Number.isInteger(reservoirSize) || reservoirSize < 0)
      throw new Error(
        `TraceSampling: reservoirPerSecond must be a whole number >= 0, not ${reservoirSize}`,
      );
    this.rule = new CfnSamplingRule(this, 'Rule', {
      samplingRule: {
        // X-Ray rule names are account-wide and at most 32 characters.
        ruleName: Names.uniqueResourceName(this, { maxLength: 32 }),
        priority: props.priority ?? 100,
        fixedRate,
        reservoirSize,
        serviceType: 'AWS::Lambda::Function',
        serviceName: '*',
        resourceArn: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        version: 1,
      },
    });
  }
}
