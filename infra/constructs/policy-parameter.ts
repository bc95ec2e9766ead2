import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { canonicalJson } from '../../layers/policy/policy-content.ts';
import { loadPolicyFile } from '../../layers/policy/policy-yaml.ts';

/** SSM's largest Standard parameter value, in bytes; a larger policy document is Advanced (8 KB). */
const STANDARD_TIER_MAX_BYTES = 4096;

export interface PolicyParameterProps {
  /** The policy file, read and validated at synth: a file that does not validate fails it. */
  readonly file: string;
  /** How the file is named in errors and the parameter's description. @default `file` */
  readonly shownAs?: string;
  /**
   * How old a function's policy may get before it reads the parameter again, in seconds: a deployed
   * change is taken up within it (plus one read) by every running instance. @default 60
   */
  readonly refreshSeconds?: number;
}

/**
 * The deployment's policy (infra/policy/), validated at synth and written as its document's
 * canonical JSON into an SSM parameter that the gateway functions read through Powertools
 * Parameters at cold start and again in the background (layers/policy/instance-policy.ts). A
 * change to the file is deployed with `cdk deploy` and needs no new function code.
 *
 * @example
 * const policy = new PolicyParameter(this, 'Policy', { file: 'infra/policy/policy.yaml' });
 * policy.grantRead(fn); Object.assign(environment, policy.environment);
 */
export class PolicyParameter extends Construct {
  readonly parameter: StringParameter;
  /** The content's version, as the functions will derive it. */
  readonly version: string;
  /** POLICY_PARAMETER_NAME and POLICY_REFRESH_SECONDS of a function that reads it. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PolicyParameterProps) {
    super(scope, id);
    const refreshSeconds = props.refreshSeconds ?? 60;
    if (!Number.isInteger(refreshSeconds) || refreshSeconds < 1)
      throw new Error(
        `policyRefreshSeconds must be a whole number of seconds of at least 1, not ${refreshSeconds}.`,
      );
    const shownAs = props.shownAs ?? props.file;
    const { document, policy } = loadPolicyFile(props.file, shownAs);
    const value = canonicalJson(document);
    this.version = policy.version;
    this.parameter = new StringParameter(this, 'Parameter', {
      description: `Toolgate policy from ${shownAs} (version ${policy.version}); deployed by the CDK app, edit the file instead.`,
      stringValue: value,
      tier:
        Buffer.byteLength(value) > STANDARD_TIER_MAX_BYTES
          ? ParameterTier.ADVANCED
          : ParameterTier.STANDARD,
    });
    this.environment = {
      POLICY_PARAMETER_NAME: this.parameter.parameterName,
      POLICY_REFRESH_SECONDS: String(refreshSeconds),
    };
  }

  /** Lets `grantee` read the parameter (ssm:GetParameter and friends on it alone). */
  grantRead(grantee: IGrantable): void {
    this.parameter.grantRead(grantee);
  }
}
