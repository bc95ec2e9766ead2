import { Duration, Validations } from 'aws-cdk-lib';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  argumentRulesAssetsCommands,
  consoleAssetsCommands,
  lambdaBundling,
  NEVER_BUNDLED,
  TRACER_MODULES,
} from '../bundling.ts';
import { controlTowerRule } from '../policy-checks.ts';
import type { FunctionPlacement } from './private-network.ts';

/** Memory of a gateway function unless it sets its own (the cost model bills duration at it). */
export const DEFAULT_FUNCTION_MEMORY_MB = 512;

export interface GatewayFunctionProps {
  /** Entry file, relative to the project root, e.g. `functions/tools/call/handler.ts`. */
  readonly entry: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds: above the 5 s upstream deadline, so the function answers before it is killed */
  readonly timeout?: Duration;
  readonly description: string;
  /** In a VPC: a function that calls a private system. @default outside any VPC */
  readonly placement?: FunctionPlacement;
  /**
   * Invoked asynchronously (by SNS), with the reason it has no dead-letter queue.
   * @default invoked synchronously (API Gateway, a queue's event source, a saga)
   */
  readonly asynchronous?: { readonly noDeadLetterReason: string };
  /** Powertools Tracer bundled (`-c powertoolsTracer=on`); otherwise left out. @default false */
  readonly tracer?: boolean;
  /** Files built into the bundle beside the handler (functions/manifest.ts `assets`). @default none */
  readonly assets?: 'console' | 'argument-rules';
}

/**
 * One gateway Lambda function: Node.js 24 on arm64, bundled by local esbuild as minified ESM (the
 * same settings `npm run bench` measures), X-Ray tracing, JSON logs in a log group with retention.
 */
export class GatewayFunction extends Construct {
  readonly function: NodejsFunction;
  /** Its log group (the audit lines' subscription filter reads it). */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.logGroup = logGroup;
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_FUNCTION_MEMORY_MB,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      // Lambda's own INFO lines (platform.start, platform.report) on every invocation would be
      // about half of a read call's log bytes; duration and memory are in Lambda's metrics anyway.
      systemLogLevelV2: SystemLogLevel.WARN,
      // Pinned: each call's audit record is an INFO line on stdout (layers/audit/audit-log.ts), and
      // Lambda drops JSON lines below the application log level before any subscription sees them.
      // The functions' own verbosity is POWERTOOLS_LOG_LEVEL.
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      logGroup,
      ...(props.placement
        ? {
            vpc: props.placement.vpc,
            vpcSubnets: { subnets: [...props.placement.subnets] },
            securityGroups: [...props.placement.securityGroups],
          }
        : {}),
      environment: { POWERTOOLS_SERVICE_NAME: 'toolgate', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: lambdaBundling.target,
        minify: lambdaBundling.minify,
        sourceMap: lambdaBundling.sourceMap,
        mainFields: [...lambdaBundling.mainFields],
        banner: lambdaBundling.banner,
        esbuildArgs: { ...lambdaBundling.esbuildArgs },
        externalModules: [...(props.tracer ? [] : TRACER_MODULES), ...NEVER_BUNDLED],
        forceDockerBundling: false,
        ...(props.assets
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) =>
                  props.assets === 'console'
                    ? consoleAssetsCommands(outputDir)
                    : argumentRulesAssetsCommands(outputDir),
              },
            }
          : {}),
      },
    });
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so CDK grants them on *.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          props.asynchronous?.noDeadLetterReason ??
          'API Gateway invokes these functions synchronously and gets every error back; a dead-letter queue only applies to asynchronous invocations.',
      },
    );
    if (!props.placement) {
      Validations.of(this).acknowledge({
        id: controlTowerRule('lambda_inside_vpc_check'),
        reason:
          'This function calls no private system: only SaaS APIs and AWS APIs, over the internet, where a VPC would add NAT cost and cold-start time. Functions that call a private system run in the VPC given with -c vpcId (README: Private systems).',
      });
    }
  }
}
