import { CfnOutput, Duration, NestedStack, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { FunctionName } from '../../functions/manifest.ts';
import type { ChatChannel } from '../../layers/notifications/chat-notifier.ts';
import { metricNames } from '../../layers/observability/metrics.ts';
import { systems } from '../../layers/systems/registry.ts';
import { type AnyTool, isWriteTool } from '../../layers/tools/define.ts';
import type { OpenRouteGroup, StageConfig } from '../config/stage-config.ts';
import { GatewayDashboard } from '../constructs/gateway-dashboard.ts';
import { buildGatewayFunctions } from '../constructs/gateway-functions.ts';
import { gatewayMetric } from '../constructs/gateway-metric.ts';
import { pascal } from '../constructs/names.ts';
import {
  PolicyConfiguration,
  type PolicyConfigurationProps,
} from '../constructs/policy-configuration.ts';
import { PrivateNetwork } from '../constructs/private-network.ts';
import { routesOf, throttleRoutes } from '../constructs/route-throttles.ts';
import type { SystemConnections } from '../constructs/system-environment.ts';
import { TraceSampling } from '../constructs/trace-sampling.ts';
import { WriteSagas } from '../constructs/write-sagas.ts';
import { controlTowerRule } from '../policy-checks.ts';
import { toolStacks } from './tool-stacks.ts';

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  /** The policy file (infra/policy/policy.yaml unless `-c policyFile`), deployed through AppConfig. */
  readonly policy: PolicyConfigurationProps;
  readonly tools: readonly AnyTool[];
  readonly auditTable: Table;
  readonly systemSecrets: ReadonlyMap<string, Secret>;
  /** The gateway's client at the identity provider, when a system is called with token exchange. */
  readonly tokenExchangeSecret?: Secret;
  readonly confirmationsTable: Table;
  readonly operationsTable: Table;
  readonly idempotencyTable: Table;
  readonly resilienceTable: Table;
  readonly connectionsTable: Table;
  readonly writeQueue: Queue;
  readonly writeDeadLetterQueue: Queue;
  /** Conversation-start prefetches, from the read tool functions to the prefetch function. */
  readonly prefetchQueue: Queue;
  readonly webhooks: {
    /** Receipts (de-duplication) and the event log. */
    readonly table: Table;
    readonly queue: Queue;
    readonly deadLetterQueue: Queue;
    readonly bus: EventBus;
    /** Webhook source id → its signing-secret store. */
    readonly secrets: ReadonlyMap<string, Secret>;
  };
  readonly notifications: {
    readonly topic: Topic;
    /** Each chat's webhook URL secret. */
    readonly chatWebhookSecrets: ReadonlyMap<ChatChannel, Secret>;
  };
  /** The long-term audit archive, watched by the dashboard's alarms. */
  readonly auditArchive: { readonly deadLetterQueue: Queue; readonly deliveryStreamName: string };
}

/**
 * The HTTP API: a JWT authorizer on every route but /health, one function per tool with read
 * access to its own systems' secrets only, the catalog and health functions, access logs,
 * throttling, and alarms.
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  /** Tool name → its function, for tests and later stacks. */
  readonly toolFunctions: ReadonlyMap<string, IFunction>;
  /** Write tool name → its saga state machine. */
  readonly stateMachines: ReadonlyMap<string, StateMachine>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retention = config.logRetentionDays;
    const connections = connectionsOf(props);

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', config.issuerUrl, {
      jwtAudience: [config.audience],
      identitySource: ['$request.header.Authorization'],
    });
    this.api = new HttpApi(this, 'HttpApi', {
      description: `Toolgate ${config.stage}: tools for AI agents`,
      defaultAuthorizer: authorizer,
      createDefaultStage: false,
    });
    const stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    const network = config.network
      ? new PrivateNetwork(this, 'PrivateNetwork', { config: config.network })
      : undefined;
    const alarmAction = this.addAlarms(config);
    // Every function and route of functions/manifest.ts, as local mode serves them.
    // The policy, validated here (a bad file fails the synth naming file and line).
    const policy = new PolicyConfiguration(this, 'Policy', props.policy);
    // Each tool's functions, routes and saga in its system's nested stack: the stack's 500
    // resources would otherwise hold about fifty tools.
    const toolStack = toolStacks(this, props.tools);
    const stackOf = (tool: AnyTool) => toolStack.get(tool.name) as Construct;
    const built = buildGatewayFunctions(this, {
      toolScope: stackOf,
      config,
      policy,
      tools: props.tools,
      api: this.api,
      tables: {
        audit: props.auditTable,
        confirmations: props.confirmationsTable,
        operations: props.operationsTable,
        idempotency: props.idempotencyTable,
        resilience: props.resilienceTable,
        connections: props.connectionsTable,
        webhooks: props.webhooks.table,
      },
      queues: {
        write: props.writeQueue,
        events: props.webhooks.queue,
        prefetch: props.prefetchQueue,
      },
      deadLetterQueues: {
        write: props.writeDeadLetterQueue,
        events: props.webhooks.deadLetterQueue,
      },
      connections,
      webhookSecrets: props.webhooks.secrets,
      bus: props.webhooks.bus,
      topics: { notifications: props.notifications.topic },
      chatWebhookSecrets: props.notifications.chatWebhookSecrets,
      network,
      alarmAction,
    });
    const perTool = (name: FunctionName) =>
      new Map(
        built
          .filter((candidate) => candidate.entry.name === name && candidate.tool)
          .map((candidate) => [candidate.tool?.name as string, candidate.function]),
      );
    this.toolFunctions = perTool('tools');
    // A few percent of calls traced (README: Cost model).
    new TraceSampling(this, 'TraceSampling');

    const unknown = Object.keys(config.toolThrottle).filter(
      (name) => !this.toolFunctions.has(name),
    );
    if (unknown.length > 0)
      throw new Error(`toolThrottle names tools that do not exist: ${unknown.join(', ')}`);

    const steps = perTool('saga-step');
    const sagas = new WriteSagas(this, 'Writes', {
      steps: props.tools.filter(isWriteTool).map((tool) => ({
        tool,
        step: steps.get(tool.name) as IFunction,
      })),
      logRetention: retention,
      alarmAction,
      machineScope: stackOf,
    });
    this.stateMachines = sagas.stateMachines;
    // The write worker starts each write's saga: it finds them by name, and may start nothing else.
    for (const { entry, function: fn } of built) {
      if (!entry.settings?.includes('sagas')) continue;
      (fn as NodejsFunction).addEnvironment('SAGA_STATE_MACHINE_PREFIX', sagas.arnPrefix);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [`${sagas.arnPrefix}*`],
        }),
      );
      Validations.of(fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${sagas.namePrefix}*]`,
        reason: `The write worker starts only this stack's sagas, whose names all start with ${sagas.namePrefix}; one statement on that prefix, rather than one ARN per write tool, keeps its policy the same size however many write tools there are (IAM allows 10 KB of inline policy).`,
      });
    }

    // Per-route ceilings under the stage default, now that every route exists. Every route without
    // the authorizer gets its group's, so a new public route is never left on the stage default.
    const openRoutes = routesOf(this.api).filter((route) => route.authorizationType === 'NONE');
    throttleRoutes(
      stage,
      this.api,
      new Map([
        ...Object.entries(config.toolThrottle).map(
          ([name, limits]) => [`POST /tools/${name}`, limits] as const,
        ),
        ...openRoutes.map(
          (route) => [route.key, config.openRoutes[openRouteGroup(route.key)]] as const,
        ),
      ]),
    );
    // What a flood of unauthenticated requests can take from the account's concurrency: the tool
    // functions share the rest.
    for (const { entry, function: fn } of built)
      if (entry.open)
        reserveConcurrency(fn, config.openRoutes[entry.open.group].reservedConcurrency);
    // Each stack alarms on its own functions: an alarm naming a function of another stack would
    // cost a parameter and tie the stacks' updates together.
    for (const stack of [this, ...new Set(toolStack.values())])
      addFunctionAlarms(
        stack,
        built.map((candidate) => candidate.function).filter((fn) => Stack.of(fn) === stack),
        alarmAction,
      );
    new GatewayDashboard(this, 'Dashboard', {
      systems,
      writeTools: props.tools.filter(isWriteTool).map((tool) => tool.name),
      queues: { write: props.writeQueue, events: props.webhooks.queue },
      deadLetterQueues: {
        write: props.writeDeadLetterQueue,
        events: props.webhooks.deadLetterQueue,
        'audit-archive': props.auditArchive.deadLetterQueue,
      },
      auditArchive: props.auditArchive,
      alarmAction,
    });
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.apiEndpoint,
      description: 'Base URL of the Toolgate HTTP API',
    });

    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "The AWS managed basic execution role only allows writing the function's own CloudWatch logs.",
      },
      {
        id: controlTowerRule('lambda_function_public_access_prohibited_check'),
        reason:
          "Each permission lets only API Gateway invoke the function, with SourceArn set to this API's route; the rule reads only literal strings or Ref/GetAtt, and CDK builds that ARN with Fn::Join.",
      },
      {
        id: controlTowerRule('cloudwatch_log_group_encrypted_check'),
        reason:
          'CloudWatch Logs encrypts every log group at rest with keys it manages; the logs hold no secrets (tokens, credentials and redacted fields never reach them), so a customer-managed KMS key would add cost and a key policy to keep, not protection.',
      },
    );
    if (network) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'The AWS managed VPC access role only lets a function in the VPC manage its own network interfaces and write its logs.',
      });
    }
    if (retention < 365) {
      Validations.of(this).acknowledge({
        id: controlTowerRule('cloudwatch_log_group_retention_period_check'),
        reason: `Stage ${config.stage} keeps its logs ${retention} days (logRetentionDays in infra/config/configs.ts); prod keeps them 365 days, as the rule asks.`,
      });
    }
  }

  private addAlarms(config: StageConfig): IAlarmAction {
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `Toolgate ${config.stage} alarms`,
      enforceSSL: true,
    });
    const action = new SnsAction(topic);
    const period = Duration.minutes(5);
    const errorRate = new MathExpression({
      expression: 'IF(requests > 0, errors / requests, 0)',
      usingMetrics: {
        errors: this.api.metricServerError({ period, statistic: 'Sum' }),
        requests: this.api.metricCount({ period, statistic: 'Sum' }),
      },
      period,
      label: '5xx rate',
    });
    new Alarm(this, 'ServerErrorRateAlarm', {
      alarmName: `${this.stackName}-api-5xx-rate`,
      alarmDescription: `More than ${config.alarms.serverErrorRate * 100}% of API calls answered 5xx over 5 minutes`,
      metric: errorRate,
      threshold: config.alarms.serverErrorRate,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
    new Alarm(this, 'P99LatencyAlarm', {
      alarmName: `${this.stackName}-api-p99-latency`,
      alarmDescription: `API p99 latency above ${config.alarms.p99LatencyMs} ms over 5 minutes`,
      metric: this.api.metricLatency({ period, statistic: 'p99' }),
      threshold: config.alarms.p99LatencyMs,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
    for (const system of systems) {
      new Alarm(this, `${pascal(system.id)}CircuitOpenedAlarm`, {
        alarmName: `${this.stackName}-system-${system.id}-circuit-opened`,
        alarmDescription: `The circuit breaker of ${system.displayName} opened: the gateway fails fast instead of calling it`,
        metric: gatewayMetric(metricNames.circuitOpened, { System: system.id }, 'Sum', period),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    }
    return action;
  }
}

const connectionsOf = (props: ApiStackProps): SystemConnections => ({
  secrets: props.systemSecrets,
  baseUrls: props.config.systemBaseUrls,
  tokenUrls: props.config.systemTokenUrls,
  dbIamUsers: props.config.systemDbIamUsers,
  oauthClientIds: props.config.systemOAuthClientIds,
  ...(props.config.tokenExchange && props.tokenExchangeSecret
    ? { exchange: { ...props.config.tokenExchange, secret: props.tokenExchangeSecret } }
    : {}),
});

/** The limits an unauthenticated route gets: webhooks, MCP and the console (and the connection callback) their own, any other the metadata ones. */
function openRouteGroup(routeKey: string): OpenRouteGroup {
  const path = routeKey.split(' ')[1] ?? '';
  if (path.startsWith('/webhooks/')) return 'webhooks';
  if (path === '/mcp') return 'mcp';
  if (path === '/console' || path.startsWith('/console/')) return 'console';
  // A person's browser, sent back by a system after consent: a page load, like the console's.
  if (/^\/connections\/[^/]+\/callback$/.test(path)) return 'console';
  return 'metadata';
}

/** Caps a function's concurrent instances (IFunction has no setter; this is the same property). */
function reserveConcurrency(target: IFunction, reservation: number | 'off'): void {
  if (reservation === 'off') return;
  (target.node.defaultChild as CfnFunction).reservedConcurrentExecutions = reservation;
}

/** The most metrics a CloudWatch metric math alarm takes. */
const FUNCTIONS_PER_ALARM = 10;

/**
 * Errors (crashes or timeouts) of every function, ten functions to an alarm (the most metrics a
 * metric math alarm takes): an alarm per function would spend a resource of the stack's 500 on
 * each, and every tool adds a function. The alarm's description names its functions; the
 * dashboard shows each one's errors. A nested stack of tools has its own.
 */
function addFunctionAlarms(scope: Construct, functions: IFunction[], action: IAlarmAction): void {
  const period = Duration.minutes(5);
  for (let start = 0; start < functions.length; start += FUNCTIONS_PER_ALARM) {
    const group = functions.slice(start, start + FUNCTIONS_PER_ALARM);
    const usingMetrics = Object.fromEntries(
      group.map((fn, index) => [`e${index}`, fn.metricErrors({ period, statistic: 'Sum' })]),
    );
    // The API stack's keep the ids they had; a nested stack's are named after it (ToolsCrm…), so
    // that no two stacks have an alarm of the same logical ID.
    const prefix = scope instanceof NestedStack ? scope.node.id : '';
    new Alarm(scope, `${prefix}FunctionErrorsAlarm${start / FUNCTIONS_PER_ALARM}`, {
      alarmDescription:
        `Lambda errors (crashes or timeouts) in ${group.map(functionName).join(', ')}`.slice(
          0,
          1024,
        ),
      metric: new MathExpression({
        expression: `SUM([${Object.keys(usingMetrics)
          .map((id) => `FILL(${id}, 0)`)
          .join(', ')}])`,
        usingMetrics,
        period,
        label: 'Lambda errors',
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
  }
}

/** A gateway function's construct id (`ToolGetAsset`), not its inner `Function`'s. */
const functionName = (fn: IFunction): string => fn.node.scope?.node.id ?? fn.node.id;
