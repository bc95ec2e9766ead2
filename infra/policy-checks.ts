import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * The checks every synth runs, `cdk synth` and the infra tests alike: cdk-nag's AwsSolutions and
 * Serverless packs, and the AWS Control Tower proactive controls through cfn-guard (a binary in the
 * npm package: no network). Any finding nobody acknowledged fails the synth.
 */
export function addPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new CfnGuardValidator(),
  );
}

/**
 * The id that acknowledges a Control Tower rule, by the cfn-guard rule name the report shows,
 * e.g. `controlTowerRule('sqs_dlq_check')` for CT.SQS.PR.1.
 */
export const controlTowerRule = (ruleName: string): string => `cdk-validator-cfnguard::${ruleName}`;

/**
 * Acknowledges, on a route without the JWT authorizer, the two checks that want one (cdk-nag's
 * APIG4, Control Tower's CT.APIGATEWAY.PR.5), with the route's own reason.
 */
export function acknowledgePublicRoute(route: IConstruct, reason: string): void {
  Validations.of(route).acknowledge(
    { id: 'AwsSolutions-APIG4', reason },
    { id: controlTowerRule('api_gw_v2_authorization_type_configured_check'), reason },
  );
}
