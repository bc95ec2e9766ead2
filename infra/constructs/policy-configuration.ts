import { Duration, Stack } from 'aws-cdk-lib';
import {
  Application,
  ConfigurationContent,
  DeploymentStrategy,
  Environment,
  HostedConfiguration,
  RolloutStrategy,
} from 'aws-cdk-lib/aws-appconfig';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { policyDocumentJson } from '../../layers/policy/policy-content.ts';
import { loadPolicyFile } from '../../layers/policy/policy-yaml.ts';

/** AppConfig refuses a session poll interval under 15 s. */
const MIN_REFRESH_SECONDS = 15;

export interface PolicyConfigurationProps {
  /** The policy file, read and validated at synth: a file that does not validate fails it. */
  readonly file: string;
  /** How the file is named in errors and the configuration's description. @default `file` */
  readonly shownAs?: string;
  /**
   * How old a function's policy may get before it asks AppConfig again, in seconds (15 or more,
   * AppConfig's shortest poll interval): a deployed change is taken up within it, plus one read, by
   * every running instance. @default 60
   */
  readonly refreshSeconds?: number;
}

/**
 * The deployment's policy (infra/policy/), validated at synth and deployed as its document's
 * canonical JSON through AWS AppConfig (hosted configuration, all at once, no bake time: the
 * gateway validates each version itself and keeps the last good one). The gateway functions read
 * it through Powertools Parameters at cold start and again in the background
 * (layers/policy/instance-policy.ts). A change to the file is deployed with `cdk deploy` and needs
 * no new function code.
 *
 * @example
 * const policy = new PolicyConfiguration(this, 'Policy', { file: 'infra/policy/policy.yaml' });
 * policy.grantRead(fn); Object.assign(environment, policy.environment);
 */
export class PolicyConfiguration extends Construct {
  readonly application: Application;
  readonly environment: Readonly<Record<string, string>>;
  /** The content's version, as the functions derive it. */
  readonly version: string;
  /** The ARN of the policy's configuration in its environment: what a reader may read, and no more. */
  readonly #configurationArn: string;

  constructor(scope: Construct, id: string, props: PolicyConfigurationProps) {
    super(scope, id);
    const refreshSeconds = props.refreshSeconds ?? 60;
    if (!Number.isInteger(refreshSeconds) || refreshSeconds < MIN_REFRESH_SECONDS)
      throw new Error(
        `policyRefreshSeconds must be a whole number of seconds, at least ${MIN_REFRESH_SECONDS} (AppConfig's shortest poll interval), not ${refreshSeconds}.`,
      );
    const shownAs = props.shownAs ?? props.file;
    const { document, policy } = loadPolicyFile(props.file, shownAs);
    this.version = policy.version;
    this.application = new Application(this, 'Application', {
      description: 'Toolgate: the policy (roles, grants, field rules) of this deployment',
    });
    const stage = new Environment(this, 'Environment', { application: this.application });
    const configuration = new HostedConfiguration(this, 'Configuration', {
      application: this.application,
      description: `From ${shownAs} (version ${policy.version}); edit the file and deploy instead.`,
      content: ConfigurationContent.fromInlineJson(policyDocumentJson(document)),
      deploymentStrategy: new DeploymentStrategy(this, 'AllAtOnce', {
        rolloutStrategy: RolloutStrategy.linear({
          growthFactor: 100,
          deploymentDuration: Duration.minutes(0),
          finalBakeTime: Duration.minutes(0),
        }),
      }),
      deployTo: [stage],
    });
    this.environment = {
      POLICY_APPCONFIG_APPLICATION: this.application.applicationId,
      POLICY_APPCONFIG_ENVIRONMENT: stage.environmentId,
      POLICY_APPCONFIG_PROFILE: configuration.configurationProfileId,
      POLICY_REFRESH_SECONDS: String(refreshSeconds),
    };
    this.#configurationArn = Stack.of(this).formatArn({
      service: 'appconfig',
      resource: 'application',
      resourceName: `${this.application.applicationId}/environment/${stage.environmentId}/configuration/${configuration.configurationProfileId}`,
    });
  }

  /**
   * Lets `grantee` read the policy: a configuration session on this configuration in this
   * environment alone (Environment.grantReadConfig would allow every configuration of it).
   */
  grantRead(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      resourceArns: [this.#configurationArn],
    });
  }
}
