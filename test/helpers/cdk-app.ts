import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '#infra/app.ts';

/** The part of CDK's validation-report.json the infra tests read. */
export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

export interface SynthesizedApp {
  readonly stacks: ReturnType<typeof buildApp>;
  /** The cloud assembly directory: templates, validation report. */
  readonly outdir: string;
  /** Every template the synth wrote, control stacks and nested stacks included. */
  readonly templatePaths: readonly string[];
  readonly report: ValidationReport;
  /** What `app.synth()` threw: policy validation fails the synth. */
  readonly error: unknown;
  /**
   * The template of one of the app's stacks, as written to disk, with the resources of its nested
   * stacks (the API stack's tool stacks) merged in: a test of a function need not know which stack
   * holds it. A nested resource's metadata names its stack's resource (`NESTED_IN`).
   */
  template(stack: 'api' | 'stateful'): Template;
  /** Resources in each template of a stack and of its nested stacks, by construct path. */
  resourceCounts(stack: 'api' | 'stateful'): Record<string, number>;
  /** Deletes the cloud assembly directory. */
  remove(): void;
}

export interface SynthesizeOptions {
  /** @default dev */
  readonly stage?: string;
  /** `-c key=value` settings. */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Bundle the functions with esbuild. One synth per run is enough to prove that every entry
   * bundles; the others skip it, which is what makes them cheap.
   * @default false
   */
  readonly bundling?: boolean;
  /** Adds constructs to the app before synth, for example a control stack. */
  readonly extend?: (app: App) => void;
}

/**
 * A CDK app for a test. Bundling is off unless asked for: NodejsFunction bundles while the app is
 * built, not at synth, so even an app that is never synthesized pays for it.
 */
export function testApp(options: { bundling?: boolean; outdir?: string } = {}): App {
  return new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] },
  });
}

/**
 * Builds and synthesizes the app, as `cdk synth` does, into a fresh directory. Call it once per
 * test file (in `beforeAll`) and share the result: a synth takes seconds, more on a busy machine.
 */
export function synthesizeApp(options: SynthesizeOptions = {}): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'toolgate-cdk-'));
  const app = testApp({ outdir, bundling: options.bundling ?? false });
  const context = options.context ?? {};
  const stacks = buildApp(app, options.stage ?? 'dev', (key) => context[key]);
  options.extend?.(app);
  let error: unknown;
  try {
    app.synth();
  } catch (caught) {
    error = caught;
  }
  const report = JSON.parse(
    readFileSync(join(outdir, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  const templatePaths = app.node
    .findAll()
    .filter((construct) => Stack.isStack(construct))
    .map((stack) => join(outdir, stack.templateFile));
  const templates = new Map<string, Template>();
  return {
    stacks,
    outdir,
    templatePaths,
    report,
    error,
    remove: () => rmSync(outdir, { recursive: true, force: true }),
    template(which) {
      const stack = stacks[which];
      let template = templates.get(which);
      if (!template) {
        template = Template.fromJSON(mergedTemplate(outdir, stack));
        templates.set(which, template);
      }
      return template;
    },
    resourceCounts(which) {
      const parent = stacks[which];
      return Object.fromEntries(
        [parent, ...nestedStacksOf(parent)].map((stack) => [
          stack.node.path,
          Object.keys(readTemplate(outdir, stack).Resources ?? {}).length,
        ]),
      );
    },
  };
}

/**
 * `Template.fromStack` of a stack with its nested stacks' resources merged in, as
 * `SynthesizedApp.template` gives them (the app is synthesized once, as `fromStack` does).
 *
 * @example
 * const api = templateWithNested(buildApp(app, 'dev', () => undefined).api);
 */
export function templateWithNested(stack: Stack): Template {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`${stack.node.path} is in no app`);
  return Template.fromJSON(mergedTemplate(stage.synth().directory, stack));
}

/** Where a merged template's nested resource says which nested stack resource holds it. */
export const NESTED_IN = 'test:nestedIn';

interface TemplateJson {
  Resources?: Record<string, { Metadata?: Record<string, unknown> }>;
  [section: string]: unknown;
}

const readTemplate = (outdir: string, stack: Stack): TemplateJson =>
  JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as TemplateJson;

const nestedStacksOf = (parent: Stack): NestedStack[] =>
  parent.node
    .findAll()
    .filter(
      (construct): construct is NestedStack =>
        NestedStack.isNestedStack(construct) && construct.nestedStackParent === parent,
    );

/**
 * A stack's template with its nested stacks' resources, as if they were one: a nested stack's
 * parameter is replaced by the value the parent passes, a nested stack's output by its value. A
 * logical ID in two of them throws.
 */
function mergedTemplate(outdir: string, parent: Stack): TemplateJson {
  const merged = readTemplate(outdir, parent);
  let resources = { ...merged.Resources };
  const outputs = new Map<string, unknown>();
  for (const nested of nestedStacksOf(parent)) {
    const holder = parent.resolve(
      (nested.nestedStackResource as unknown as { logicalId: string }).logicalId,
    ) as string;
    const template = readTemplate(outdir, nested);
    const passed = ((resources[holder] as { Properties?: { Parameters?: object } }).Properties
      ?.Parameters ?? {}) as Record<string, unknown>;
    const inParent = replaceDeep(template.Resources ?? {}, (value) =>
      isRef(value) && value.Ref in passed ? passed[value.Ref] : undefined,
    );
    for (const [id, resource] of Object.entries(inParent)) {
      if (resources[id]) throw new Error(`${id} is in ${nested.node.path} and another stack`);
      resources[id] = { ...resource, Metadata: { ...resource.Metadata, [NESTED_IN]: holder } };
    }
    const nestedOutputs = (template.Outputs ?? {}) as Record<string, { Value: unknown }>;
    for (const [name, output] of Object.entries(nestedOutputs))
      outputs.set(JSON.stringify({ 'Fn::GetAtt': [holder, `Outputs.${name}`] }), output.Value);
  }
  resources = replaceDeep(resources, (value) =>
    typeof value === 'object' && value !== null && 'Fn::GetAtt' in value
      ? outputs.get(JSON.stringify(value))
      : undefined,
  );
  return { ...merged, Resources: resources };
}

const isRef = (value: unknown): value is { Ref: string } =>
  typeof value === 'object' && value !== null && 'Ref' in value && Object.keys(value).length === 1;

/** A copy of a JSON value with each object `replace` answers for replaced. */
function replaceDeep<T>(value: T, replace: (value: unknown) => unknown): T {
  const replaced = replace(value);
  if (replaced !== undefined) return replaced as T;
  if (Array.isArray(value)) return value.map((item) => replaceDeep(item, replace)) as T;
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceDeep(item, replace)]),
    ) as T;
  return value;
}

/** Every violation of the report as `<rule> at <construct path>`, for one readable assertion. */
export const violations = (report: ValidationReport): string[] =>
  report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((c) => `${violation.ruleName} at ${c.constructPath}`),
    ),
  );

type Resources = Record<
  string,
  {
    Type: string;
    Properties?: Record<string, unknown>;
    DependsOn?: string | string[];
    Metadata?: Record<string, unknown>;
  }
>;

/**
 * Route settings of each API Gateway stage that name a route the stage does not depend on, as
 * `<stage>: <route key>`. API Gateway refuses a setting for a route it does not have yet, so
 * CloudFormation must create every route a stage configures before the stage.
 */
export function routeSettingsWithoutDependency(template: Template): string[] {
  const resources = template.toJSON().Resources as Resources;
  const routeIds = (apiId: unknown, key: string) =>
    Object.entries(resources)
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::ApiGatewayV2::Route' &&
          resource.Properties?.RouteKey === key &&
          JSON.stringify(resource.Properties?.ApiId) === JSON.stringify(apiId),
      )
      .map(([id]) => id);
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Stage')
    .flatMap(([stageId, stage]) => {
      const dependsOn = [stage.DependsOn ?? []].flat();
      // A route of a nested stack: the stage depends on that stack.
      const created = (routeId: string) =>
        dependsOn.includes(routeId) ||
        dependsOn.includes(String(resources[routeId]?.Metadata?.[NESTED_IN]));
      const settings = Object.keys((stage.Properties?.RouteSettings ?? {}) as object);
      return settings
        .filter((key) => {
          const [routeId, ...more] = routeIds(stage.Properties?.ApiId, key);
          return !routeId || more.length > 0 || !created(routeId);
        })
        .map((key) => `${stageId}: ${key}`);
    });
}

/**
 * The routes of the API as `route key → logical ID of the Lambda function behind it`, for the
 * routes the filter keeps (for example, those without an authorizer).
 */
export function functionsBehindRoutes(
  template: Template,
  keep: (route: { key: string; authorizationType: string }) => boolean,
): Map<string, string> {
  const resources = template.toJSON().Resources as Resources;
  const behind = new Map<string, string>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const key = String(resource.Properties?.RouteKey);
    if (!keep({ key, authorizationType: String(resource.Properties?.AuthorizationType) })) continue;
    const integrationId = /"Ref":"([^"]+)"/.exec(JSON.stringify(resource.Properties?.Target))?.[1];
    const uri = resources[integrationId ?? '']?.Properties?.IntegrationUri as
      | { 'Fn::GetAtt': [string, string] }
      | undefined;
    const functionId = uri?.['Fn::GetAtt'][0];
    if (!functionId) throw new Error(`${key}: no Lambda integration found`);
    behind.set(key, functionId);
  }
  return behind;
}
