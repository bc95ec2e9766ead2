import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../layers/observability/metrics.ts';
import { systems } from '../../layers/systems/registry.ts';
import { type AnyTool, isWriteTool } from '../../layers/tools/define.ts';
import type { OpenRouteGroup, StageConfig } from '../config/stage-config.ts';
import { pascal } from '../constructs/names.ts';
import { PrivateNetwork } from '../constructs/private-network.ts';
import {
  accessToRun,
  cachedTools,
  grantResilienceAccess,
} from '../constructs/resilience-access.ts';
import { routesOf, throttleRoutes } from '../constructs/route-throttles.ts';
import { type SystemConnections, systemEnvironment } from '../constructs/system-environment.ts';
import { GatewayFunction } from '../constructs/tool-function.ts';
import { WebhookIntake, type WebhookIntakeProps } from '../constructs/webhook-intake.ts';
import { type FunctionFactory, grantTable, WritePath } from '../constructs/write-path.ts';
import { acknowledgePublicRoute, controlTowerRule } from '../policy-checks.ts';

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly tools: readonly AnyTool[];
  readonly auditTable: Table;
  readonly systemSecrets: ReadonlyMap<string, Secret>;
  readonly confirmationsTable: Table;
  readonly operationsTable: Table;
  readonly idempotencyTable: Table;
  readonly resilienceTable: Table;
  readonly writeQueue: Queue;
  readonly writeDeadLetterQueue: Queue;
  /** Conversation-start prefetches, from the read tool functions to the prefetch function. */
  readonly prefetchQueue: Queue;
  readonly webhooks: Omit<
    WebhookIntakeProps,
    'api' | 'makeFunction' | 'resilienceTable' | 'alarmAction'
  >;
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

    const common: Record<string, string> = {
      STAGE: config.stage,
      AUDIT_TABLE_NAME: props.auditTable.tableName,
      JWT_ISSUER: config.issuerUrl,
      JWT_AUDIENCE: config.audience,
      JWT_ROLES_CLAIM: config.rolesClaim,
      ...(config.jwksUrl ? { JWT_JWKS_URL: config.jwksUrl } : {}),
      ...(config.publicBaseUrl ? { PUBLIC_BASE_URL: config.publicBaseUrl } : {}),
      SECRETS_SOURCE: 'secretsmanager',
      USER_RATE_LIMIT: config.userRateLimit,
      SECRETS_MAX_AGE_SECONDS: String(config.secretsMaxAgeSeconds),
      MAIL_SENDER: config.mail.sender,
      MAIL_ALLOWED_SENDERS: config.mail.allowedSenders.join(','),
      MAIL_ROLE_SENDERS: JSON.stringify(config.mail.roleSenders),
      MAIL_AI_FOOTER: config.mail.aiFooter,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    const network = config.network
      ? new PrivateNetwork(this, 'PrivateNetwork', { config: config.network })
      : undefined;
    const allFunctions: IFunction[] = [];
    const fn: FunctionFactory = (
      name,
      entry,
      description,
      environment = {},
      timeout = undefined,
    ) => {
      const settings = { ...common, ...environment };
      const placement = network?.placementFor(settings);
      const gateway = new GatewayFunction(this, name, {
        entry,
        description,
        environment: settings,
        logRetention: retention,
        ...(timeout ? { timeout } : {}),
        ...(placement ? { placement } : {}),
      });
      allFunctions.push(gateway.function);
      // Only PutItem on the table itself: table.grant() would add the indexes too.
      Grant.addToPrincipal({
        grantee: gateway.function,
        actions: ['dynamodb:PutItem'],
        resourceArns: [props.auditTable.tableArn],
      });
      return gateway.function;
    };

    const health = fn('Health', 'functions/health/check/handler.ts', 'GET /health');
    const [healthRoute] = this.api.addRoutes({
      path: '/health',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('HealthIntegration', health),
      authorizer: new HttpNoneAuthorizer(),
    });
    if (healthRoute) {
      acknowledgePublicRoute(
        healthRoute,
        'GET /health is the unauthenticated liveness check of DESIGN.md; it reads nothing and calls no system.',
      );
    }
    const catalog = fn(
      'Catalog',
      'functions/catalog/list/handler.ts',
      'GET /tools, GET /tools/{name}',
    );
    const catalogIntegration = new HttpLambdaIntegration('CatalogIntegration', catalog);
    this.api.addRoutes({
      path: '/tools',
      methods: [HttpMethod.GET],
      integration: catalogIntegration,
    });
    this.api.addRoutes({
      path: '/tools/{name}',
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: catalogIntegration,
    });

    const prefetch = this.addConversationPrefetch(props, fn);
    const userLimits = config.userRateLimit !== 'off';
    const toolFunctions = new Map<string, IFunction>();
    for (const tool of props.tools) {
      const environment: Record<string, string> = { TOOL_NAME: tool.name };
      // Read tools naming a customer start the conversation-start prefetch; the prefetched tool reads it.
      const startsPrefetch = prefetch && !isWriteTool(tool) && 'customerId' in tool.input.shape;
      if (prefetch && (startsPrefetch || tool.name === prefetch.tool)) {
        environment.CONVERSATION_PREFETCH = 'queue';
        if (tool.name !== prefetch.tool) environment.PREFETCH_QUEUE_URL = prefetch.queue.queueUrl;
      }
      Object.assign(environment, systemEnvironment(connections, tool.systems, `Tool ${tool.name}`));
      environment.RESILIENCE_TABLE_NAME = props.resilienceTable.tableName;
      if (isWriteTool(tool))
        environment.CONFIRMATIONS_TABLE_NAME = props.confirmationsTable.tableName;
      const toolFunction = fn(
        `Tool${pascal(tool.name)}`,
        'functions/tools/call/handler.ts',
        `POST /tools/${tool.name}`,
        environment,
      );
      for (const systemId of tool.systems)
        props.systemSecrets.get(systemId)?.grantRead(toolFunction);
      if (isWriteTool(tool)) {
        // A write tool only proposes: it reads for the preview and stores the confirmation.
        grantTable(toolFunction, props.confirmationsTable, 'GetItem', 'PutItem');
      }
      grantResilienceAccess(
        toolFunction,
        props.resilienceTable,
        accessToRun([tool], {
          userLimits,
          prefetch: prefetch && {
            tool: prefetch.tool,
            starts: Boolean(startsPrefetch) && tool.name !== prefetch.tool,
          },
        }),
      );
      if (prefetch && startsPrefetch && tool.name !== prefetch.tool)
        prefetch.queue.grantSendMessages(toolFunction);
      this.api.addRoutes({
        path: `/tools/${tool.name}`,
        methods: [HttpMethod.POST],
        integration: new HttpLambdaIntegration(`Tool${pascal(tool.name)}Integration`, toolFunction),
      });
      toolFunctions.set(tool.name, toolFunction);
    }
    this.toolFunctions = toolFunctions;

    const unknown = Object.keys(config.toolThrottle).filter((name) => !toolFunctions.has(name));
    if (unknown.length > 0)
      throw new Error(`toolThrottle names tools that do not exist: ${unknown.join(', ')}`);

    const alarmAction = this.addAlarms(config);
    const writes = new WritePath(this, 'Writes', {
      writeTools: props.tools.filter(isWriteTool),
      makeFunction: fn,
      confirmationsTable: props.confirmationsTable,
      operationsTable: props.operationsTable,
      idempotencyTable: props.idempotencyTable,
      resilienceTable: props.resilienceTable,
      writeQueue: props.writeQueue,
      writeDeadLetterQueue: props.writeDeadLetterQueue,
      systemSecrets: props.systemSecrets,
      environmentFor: (systemIds, user) => systemEnvironment(connections, systemIds, user),
      logRetention: retention,
      alarmAction,
      writeWait: config.writeWait,
    });
    this.stateMachines = writes.stateMachines;
    const decideIntegration = new HttpLambdaIntegration(
      'ConfirmationsIntegration',
      writes.decideFunction,
    );
    this.api.addRoutes({
      path: '/confirmations/{id}',
      methods: [HttpMethod.POST, HttpMethod.DELETE],
      integration: decideIntegration,
    });
    this.api.addRoutes({
      path: '/operations/{id}',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('OperationsIntegration', writes.operationsFunction),
    });
    const mcp = this.addAgentRoutes(props, fn, prefetch);
    const webhooks = new WebhookIntake(this, 'Webhooks', {
      ...props.webhooks,
      api: this.api,
      makeFunction: fn,
      resilienceTable: props.resilienceTable,
      alarmAction,
    });
    const admin = fn(
      'AdminSwitches',
      'functions/admin/switches/handler.ts',
      'GET /admin/switches, PUT /admin/switches/{kind}/{name}',
      {
        RESILIENCE_TABLE_NAME: props.resilienceTable.tableName,
      },
    );
    grantResilienceAccess(admin, props.resilienceTable, {
      switches: 'write',
      invalidates: cachedTools(props.tools),
    });
    const adminIntegration = new HttpLambdaIntegration('AdminSwitchesIntegration', admin);
    this.api.addRoutes({
      path: '/admin/switches',
      methods: [HttpMethod.GET],
      integration: adminIntegration,
    });
    this.api.addRoutes({
      path: '/admin/cache/{tool}/invalidate',
      methods: [HttpMethod.POST],
      integration: adminIntegration,
    });
    this.api.addRoutes({
      path: '/admin/switches/{kind}/{name}',
      methods: [HttpMethod.PUT],
      integration: adminIntegration,
    });
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
    const behindOpenRoutes: [OpenRouteGroup, IFunction][] = [
      ['metadata', health],
      ['metadata', mcp.openapi],
      ['mcp', mcp.mcp],
      ['webhooks', webhooks.receiveFunction],
    ];
    for (const [group, openFunction] of behindOpenRoutes)
      reserveConcurrency(openFunction, config.openRoutes[group].reservedConcurrency);
    this.addFunctionAlarms(allFunctions, alarmAction);
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

  /**
   * The conversation-start prefetch of get_customer_context: the read tool functions and MCP put a
   * message on the prefetch queue (`X-Conversation-Id`); this function reads it and keeps the
   * answer in the resilience table for the conversation. No route reaches it.
   */
  private addConversationPrefetch(
    props: ApiStackProps,
    fn: FunctionFactory,
  ): { tool: string; function: IFunction; queue: Queue } | undefined {
    const tool = props.tools.find((candidate) => candidate.name === 'get_customer_context');
    if (!tool) return undefined;
    const environment: Record<string, string> = {
      TOOL_NAME: tool.name,
      RESILIENCE_TABLE_NAME: props.resilienceTable.tableName,
      CONVERSATION_PREFETCH: 'queue',
    };
    Object.assign(
      environment,
      systemEnvironment(connectionsOf(props), tool.systems, 'The prefetch'),
    );
    const prefetch = fn(
      'ConversationPrefetch',
      'functions/tools/prefetch/handler.ts',
      'Conversation-start prefetch of get_customer_context (prefetch queue)',
      environment,
    );
    for (const systemId of tool.systems) props.systemSecrets.get(systemId)?.grantRead(prefetch);
    grantResilienceAccess(
      prefetch,
      props.resilienceTable,
      accessToRun([tool], {
        userLimits: props.config.userRateLimit !== 'off',
        prefetch: { tool: tool.name, starts: false },
      }),
    );
    prefetch.addEventSource(new SqsEventSource(props.prefetchQueue, { batchSize: 10 }));
    Validations.of(prefetch).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "A prefetch is best effort: the function logs and drops one that fails (the agent's own call then runs live), and prefetch messages expire after 5 minutes.",
    });
    return { tool: tool.name, function: prefetch, queue: props.prefetchQueue };
  }

  /**
   * MCP and the OpenAPI document. The MCP function hosts the tools itself (rather than invoking
   * the per-tool functions): one hop and one cold start less per call; the price is that it may
   * read every system's secret. It verifies tokens itself, because an MCP client must get its 401
   * with `WWW-Authenticate` pointing at the protected resource metadata, which API Gateway's JWT
   * authorizer cannot send.
   */
  private addAgentRoutes(
    props: ApiStackProps,
    fn: FunctionFactory,
    prefetch: { tool: string; function: IFunction; queue: Queue } | undefined,
  ): { mcp: IFunction; openapi: IFunction } {
    const systems = [...new Set(props.tools.flatMap((tool) => tool.systems))];
    const environment: Record<string, string> = {
      CONFIRMATIONS_TABLE_NAME: props.confirmationsTable.tableName,
      OPERATIONS_TABLE_NAME: props.operationsTable.tableName,
      WRITE_QUEUE_URL: props.writeQueue.queueUrl,
      RESILIENCE_TABLE_NAME: props.resilienceTable.tableName,
      ...(prefetch
        ? {
            CONVERSATION_PREFETCH: 'queue',
            PREFETCH_QUEUE_URL: prefetch.queue.queueUrl,
          }
        : {}),
    };
    Object.assign(environment, systemEnvironment(connectionsOf(props), systems, 'MCP'));
    const mcp = fn(
      'Mcp',
      'functions/mcp/serve/handler.ts',
      'POST /mcp, GET /.well-known/oauth-protected-resource',
      environment,
    );
    for (const systemId of systems) props.systemSecrets.get(systemId)?.grantRead(mcp);
    grantTable(mcp, props.confirmationsTable, 'GetItem', 'PutItem', 'UpdateItem');
    grantTable(mcp, props.operationsTable, 'GetItem', 'PutItem');
    grantResilienceAccess(
      mcp,
      props.resilienceTable,
      accessToRun(props.tools, {
        userLimits: props.config.userRateLimit !== 'off',
        prefetch: prefetch && { tool: prefetch.tool, starts: true },
      }),
    );
    if (prefetch) prefetch.queue.grantSendMessages(mcp);
    props.writeQueue.grantSendMessages(mcp);
    const mcpIntegration = new HttpLambdaIntegration('McpIntegration', mcp);
    const openapi = fn('OpenApi', 'functions/openapi/document/handler.ts', 'GET /openapi.json');
    const open = [
      ...this.api.addRoutes({
        path: '/mcp',
        methods: [HttpMethod.POST, HttpMethod.GET, HttpMethod.DELETE],
        integration: mcpIntegration,
        authorizer: new HttpNoneAuthorizer(),
      }),
      ...this.api.addRoutes({
        path: '/.well-known/oauth-protected-resource',
        methods: [HttpMethod.GET],
        integration: mcpIntegration,
        authorizer: new HttpNoneAuthorizer(),
      }),
      ...this.api.addRoutes({
        path: '/openapi.json',
        methods: [HttpMethod.GET],
        integration: new HttpLambdaIntegration('OpenApiIntegration', openapi),
        authorizer: new HttpNoneAuthorizer(),
      }),
    ];
    for (const route of open) {
      acknowledgePublicRoute(
        route,
        'MCP verifies the bearer token in the function (MCP authorization needs its own 401 with resource metadata); the metadata and the OpenAPI document are public by design.',
      );
    }
    return { mcp, openapi };
  }

  private addFunctionAlarms(functions: IFunction[], action: IAlarmAction): void {
    functions.forEach((fn, index) => {
      new Alarm(this, `FunctionErrorsAlarm${index}`, {
        alarmDescription: `Lambda errors (crashes or timeouts) in ${fn.node.path}`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    });
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
      alarmDescription: `More than ${config.alarms.serverErrorRate * 100}% of API calls answered 5xx over 5 minutes`,
      metric: errorRate,
      threshold: config.alarms.serverErrorRate,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
    new Alarm(this, 'P99LatencyAlarm', {
      alarmDescription: `API p99 latency above ${config.alarms.p99LatencyMs} ms over 5 minutes`,
      metric: this.api.metricLatency({ period, statistic: 'p99' }),
      threshold: config.alarms.p99LatencyMs,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
    for (const system of systems) {
      new Alarm(this, `${pascal(system.id)}CircuitOpenedAlarm`, {
        alarmDescription: `The circuit breaker of ${system.displayName} opened: the gateway fails fast instead of calling it`,
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'CircuitOpened',
          dimensionsMap: { System: system.id },
          period,
          statistic: 'Sum',
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    }
    return action;
  }
}

/** The limits an unauthenticated route gets: webhooks and MCP their own, any other the metadata ones. */
const connectionsOf = (props: ApiStackProps): SystemConnections => ({
  secrets: props.systemSecrets,
  baseUrls: props.config.systemBaseUrls,
  tokenUrls: props.config.systemTokenUrls,
});

function openRouteGroup(routeKey: string): OpenRouteGroup {
  const path = routeKey.split(' ')[1] ?? '';
  if (path.startsWith('/webhooks/')) return 'webhooks';
  if (path === '/mcp') return 'mcp';
  return 'metadata';
}

/** Caps a function's concurrent instances (IFunction has no setter; this is the same property). */
function reserveConcurrency(target: IFunction, reservation: number | 'off'): void {
  if (reservation === 'off') return;
  (target.node.defaultChild as CfnFunction).reservedConcurrentExecutions = reservation;
}
