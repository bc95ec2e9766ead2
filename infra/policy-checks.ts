import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
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
    withNestedTemplates(new CfnGuardValidator()),
  );
}

/**
 * A validation plugin that also reads the nested stacks' templates (the tools' stacks): CDK hands a
 * plugin the top-level stacks' templates only, so the Control Tower rules would pass over every
 * tool function (cdk-nag needs no help: it visits the constructs). Each nested template is read as
 * the proactive controls see it at deploy, each parameter a string: the rules accept a security
 * group or log group only as a string or a resource of the same template (and cfn-guard's results
 * for a parameter crash the plugin).
 */
function withNestedTemplates(plugin: IPolicyValidationPlugin): IPolicyValidationPlugin {
  return {
    name: plugin.name,
    ...(plugin.version ? { version: plugin.version } : {}),
    ...(plugin.ruleIds ? { ruleIds: plugin.ruleIds } : {}),
    validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
      // The same file names, in a directory of their own: CDK finds a finding's construct by the
      // template's file name.
      const resolvedDir = mkdtempSync(join(tmpdir(), 'toolgate-nested-'));
      try {
        const nested = context.templatePaths.flatMap((path) => nestedTemplates(path, resolvedDir));
        return plugin.validate({
          ...context,
          templatePaths: [...context.templatePaths, ...nested],
        });
      } finally {
        rmSync(resolvedDir, { recursive: true, force: true });
      }
    },
  };
}

interface TemplateJson {
  Resources?: Record<
    string,
    { Type: string; Properties?: { Parameters?: Record<string, unknown> } }
  >;
}

/**
 * The nested stacks of a template, their parameters replaced, written to `dir` (one level deep, as
 * the app's). The stack's asset manifest names each nested template file and its hash, which the
 * nested stack resource's TemplateURL ends with.
 */
function nestedTemplates(templatePath: string, dir: string): string[] {
  const assetsPath = templatePath.replace(/\.template\.json$/, '.assets.json');
  if (!existsSync(assetsPath)) return [];
  const assets = JSON.parse(readFileSync(assetsPath, 'utf8')) as {
    files?: Record<string, { source: { path?: string } }>;
  };
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as TemplateJson;
  const stacks = Object.values(template.Resources ?? {}).filter(
    (resource) => resource.Type === 'AWS::CloudFormation::Stack',
  );
  return Object.entries(assets.files ?? {}).flatMap(([hash, asset]) => {
    const file = asset.source.path;
    if (!file?.endsWith('.nested.template.json')) return [];
    const holder = stacks.find((stack) => JSON.stringify(stack.Properties).includes(hash));
    if (!holder) throw new Error(`${templatePath}: no nested stack resource deploys ${file}`);
    const passed = holder.Properties?.Parameters ?? {};
    // What the nested stack gets at deploy: a string (an id, an ARN), whatever the parent computed
    // it from; the rules accept a reference to a resource only within the template.
    const deployed = (parameter: string) => {
      const value = passed[parameter];
      return typeof value === 'string' ? value : `<${parameter}, resolved at deploy>`;
    };
    const resolved = JSON.parse(
      readFileSync(join(dirname(templatePath), file), 'utf8'),
      (_key, value: unknown) => (isRef(value) && value.Ref in passed ? deployed(value.Ref) : value),
    ) as unknown;
    const path = join(dir, basename(file));
    writeFileSync(path, JSON.stringify(resolved));
    return [path];
  });
}

const isRef = (value: unknown): value is { Ref: string } =>
  typeof value === 'object' && value !== null && Object.keys(value).length === 1 && 'Ref' in value;

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
