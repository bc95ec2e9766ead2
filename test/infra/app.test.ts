import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functions } from '#functions/manifest.ts';
import { openApiDocument } from '#layers/openapi/document.ts';
import { systems } from '#layers/systems/registry.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import { tools } from '#layers/tools/registry.ts';
import { webhookSources } from '#layers/webhooks/sources.ts';
import { localRouteTable } from '#local/start-local.ts';
import {
  functionsBehindRoutes,
  NESTED_IN,
  routeSettingsWithoutDependency,
  type SynthesizedApp,
  synthesizeApp,
  violations,
} from '#test/helpers/cdk-app.ts';
import { cfnLintOrSkip } from '#test/helpers/cfn-lint.ts';
import { asDocumented, documentedRoutes } from '#test/helpers/routes.ts';

describe('CDK app', () => {
  // The one synth of the default stage, with bundling: every test of this file reads it.
  let synth: SynthesizedApp;
  let api: Template;
  let stateful: Template;

  beforeAll(() => {
    synth = synthesizeApp({ bundling: true });
    api = synth.template('api');
    stateful = synth.template('stateful');
  }, 300_000);
  afterAll(() => synth.remove());

  describe('policy checks', () => {
    // test/infra/app-context.test.ts shows that the same checks fail on a finding nobody acknowledged.
    it('reports no unacknowledged cdk-nag (AwsSolutions, Serverless) or Control Tower finding', () => {
      expect(synth.error).toBeUndefined();
      expect(synth.report.pluginReports.map((plugin) => plugin.pluginName)).toContain(
        'cdk-validator-cfnguard',
      );
      expect(violations(synth.report)).toEqual([]);
    });

    it('leaves nothing for cfn-lint to report in any synthesized template', async (context) => {
      // The two stacks and the API stack's nested stacks of tools, one per system.
      expect(synth.templatePaths).toHaveLength(
        2 + new Set(tools.map((tool) => tool.systems[0])).size,
      );
      const findings = await cfnLintOrSkip(synth.templatePaths, context);
      expect(findings).toEqual([]);
    }, 180_000);
  });

  describe('StatefulStack', () => {
    it('keeps every stateful resource under its logical ID', () => {
      const resources = Object.keys(stateful.toJSON().Resources as Record<string, unknown>);
      // The webhook resources, one secret per source: each listed once, as the template has it.
      const actualIds = (pattern: RegExp) => resources.filter((id) => pattern.test(id));
      expect(actualIds(/WebhookSecret/)).toHaveLength(webhookSources.length);
      expect(
        actualIds(/^(WebhookTable|EventsQueue|EventsDeadLetterQueue)[0-9A-F]{8}$/),
      ).toHaveLength(3);
      const stateful_ = Object.entries(
        stateful.toJSON().Resources as Record<string, { Type: string }>,
      )
        .filter(([, resource]) =>
          [
            'AWS::DynamoDB::Table',
            'AWS::SecretsManager::Secret',
            'AWS::SQS::Queue',
            // People's own subscriptions (e-mail) hang on the topic: replacing it would drop them.
            'AWS::SNS::Topic',
            // The audit archive: a new bucket would leave years of locked records behind, a new
            // key could not read them.
            'AWS::S3::Bucket',
            'AWS::KMS::Key',
          ].includes(resource.Type),
        )
        .map(([id]) => id)
        .sort();
      expect(stateful_).toEqual(
        [
          'AuditTableB07F8EEB',
          'ConfirmationsTableA2A9EF11',
          'OperationsTable90528792',
          'IdempotencyTable22A5A209',
          'ResilienceTable0A179F74',
          ...actualIds(/^Connections(Table|Key)[0-9A-F]{8}$/),
          'CrmSecretEFED2D06',
          'ErpSecret2239D37E',
          'TicketingSecretA6C820B0',
          'MailSecret222636C9',
          // Declared from the facilities OpenAPI spec (layers/systems/declared/facilities).
          'FacilitiesSecretC011A53A',
          'LogisticsSecret8B1D8B6F',
          'WriteDeadLetterQueue6CA58406',
          'WriteQueue141C819B',
          'NotificationsTopicE4AF40A8',
          'SlackWebhookUrlSecretBAFDE743',
          'TeamsWebhookUrlSecret5FFC3DE2',
          'AuditArchiveKey780AE008',
          'AuditArchiveBucketDB93AD31',
          'AuditArchiveAccessLogs48C7A137',
          'AuditArchiveDeadLetterQueueBA248981',
          'AuditQueriesResultsA973D33D',
          ...actualIds(/^PrefetchQueue[0-9A-F]{8}$/),
          ...actualIds(
            /^((WebhookTable|EventsQueue|EventsDeadLetterQueue)|[A-Z][a-z]+WebhookSecret)[0-9A-F]{8}$/,
          ),
        ].sort(),
      );
    });

    it('keeps the audit table with PITR, TTL and the by-tool index', () => {
      stateful.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'byTool' })]),
      });
    });

    it('creates one secret per business system, shaped by its auth mode', () => {
      const secrets = Object.keys(stateful.findResources('AWS::SecretsManager::Secret'));
      expect(secrets.filter((id) => !/Webhook(Url)?Secret/.test(id))).toHaveLength(systems.length);
      stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({
          GenerateStringKey: 'clientSecret',
          SecretStringTemplate: '{"clientId":"replace-me"}',
        }),
      });
      stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'apiKey' }),
      });
      expect(systems.map((system) => system.id).sort()).toEqual([
        'crm',
        'erp',
        'facilities',
        'logistics',
        'mail',
        'ticketing',
      ]);
      // A database's secret holds a login, like a basic-auth system's.
      stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: Match.stringLikeRegexp('Logistics database'),
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
      });
    });
  });

  describe('ApiStack', () => {
    const toolFunctions = () =>
      Object.entries(api.findResources('AWS::Lambda::Function')).filter(([, resource]) =>
        String(resource.Properties.Description).startsWith('POST /tools/'),
      );

    it('has one arm64 Node.js 24 function per registered tool', () => {
      const names = toolFunctions()
        .map(([, resource]) => resource.Properties.Environment.Variables.TOOL_NAME)
        .sort();
      expect(names).toEqual(tools.map((tool) => tool.name).sort());
      for (const [, resource] of toolFunctions()) {
        expect(resource.Properties.Runtime).toBe('nodejs24.x');
        expect(resource.Properties.Architectures).toEqual(['arm64']);
        expect(resource.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      }
    });

    it("gives a declared tool's function the base URL its spec names, under its system's settings", () => {
      const [, getAsset] =
        toolFunctions().find(
          ([, resource]) => resource.Properties.Environment.Variables.TOOL_NAME === 'get_asset',
        ) ?? [];
      const variables = getAsset?.Properties.Environment.Variables;
      expect(variables.SYSTEM_FACILITIES_BASE_URL).toBe('https://facilities.example.com');
      expect(variables.SYSTEM_FACILITIES_SECRET_ID).toBeDefined();
      expect(
        Object.keys(variables).filter((name) => /^SYSTEM_[A-Z]+_BASE_URL$/.test(name)),
      ).toEqual(['SYSTEM_FACILITIES_BASE_URL']);
    });

    it("grants each tool function read access to its own systems' secrets only", () => {
      const policies = api.findResources('AWS::IAM::Policy');
      for (const tool of tools) {
        const [logicalId] =
          toolFunctions().find(
            ([, resource]) => resource.Properties.Environment.Variables.TOOL_NAME === tool.name,
          ) ?? [];
        const role =
          api.findResources('AWS::Lambda::Function')[logicalId ?? '']?.Properties.Role[
            'Fn::GetAtt'
          ][0];
        const policy = Object.values(policies).find((candidate) =>
          candidate.Properties.Roles.some((r: { Ref: string }) => r.Ref === role),
        );
        const statements = policy?.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
        }[];
        const secretResources = statements
          .filter((statement) =>
            [statement.Action].flat().includes('secretsmanager:GetSecretValue'),
          )
          .map((statement) => JSON.stringify(statement.Resource));
        const expected = tool.systems.map(
          (id) => `${id.charAt(0).toUpperCase()}${id.slice(1)}Secret`,
        );
        expect(secretResources, tool.name).toHaveLength(expected.length);
        for (const name of expected)
          expect(
            secretResources.some((resource) => resource.includes(name)),
            `${tool.name} → ${name}`,
          ).toBe(true);
        const others = systems
          .map((system) => `${system.id.charAt(0).toUpperCase()}${system.id.slice(1)}Secret`)
          .filter((name) => !expected.includes(name));
        for (const name of others)
          expect(secretResources.join(), `${tool.name} must not read ${name}`).not.toContain(name);
      }
    });

    it('gives the catalog and health functions no secret access and no audit table access', () => {
      // They write audit lines to their logs (test/infra/audit-log-delivery.test.ts): only the
      // audit ingest writes the table, and only the audit search reads it.
      const others = Object.values(api.findResources('AWS::IAM::Policy')).filter(
        (policy) =>
          !/^(AuditSearch|AuditIngest)Function/.test(String(policy.Properties.Roles[0].Ref)),
      );
      for (const statement of others.flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement,
      ))
        expect(JSON.stringify(statement.Resource)).not.toContain('AuditTable');
      const catalogRole = Object.entries(api.findResources('AWS::IAM::Role')).find(([id]) =>
        id.startsWith('CatalogFunction'),
      )?.[0];
      const catalogPolicy = Object.values(api.findResources('AWS::IAM::Policy')).find(
        (policy) => policy.Properties.Roles[0].Ref === catalogRole,
      );
      expect(JSON.stringify(catalogPolicy)).not.toContain('secretsmanager');
    });

    it('routes POST /tools/<name> explicitly for every tool and guards all routes but /health with the JWT authorizer', () => {
      const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map(
        (route) => route.Properties,
      );
      const keys = routes.map((route) => route.RouteKey).sort();
      expect(keys).toEqual(
        [
          'GET /health',
          'GET /tools',
          'GET /tools/{name}',
          'POST /tools/{name}',
          'GET /confirmations',
          'GET /confirmations/{id}',
          'POST /confirmations/{id}',
          'DELETE /confirmations/{id}',
          'GET /operations/{id}',
          'GET /operations',
          'GET /audit',
          'GET /audit/{auditId}',
          'POST /mcp',
          'GET /mcp',
          'DELETE /mcp',
          'GET /.well-known/oauth-protected-resource',
          'GET /openapi.json',
          'GET /admin/switches',
          'PUT /admin/switches/{kind}/{name}',
          'POST /admin/cache/{tool}/invalidate',
          'POST /webhooks/{source}',
          'GET /systems',
          'GET /webhooks/events',
          'GET /console',
          'GET /console/{proxy+}',
          'GET /connections',
          'POST /connections/{system}',
          'DELETE /connections/{system}',
          'GET /connections/{system}/callback',
          ...tools.map((tool) => `POST /tools/${tool.name}`),
        ].sort(),
      );
      for (const route of routes) {
        // MCP checks tokens itself (its 401 must carry the resource metadata); the rest is public.
        const open = [
          'GET /health',
          'POST /mcp',
          'GET /mcp',
          'DELETE /mcp',
          'GET /.well-known/oauth-protected-resource',
          'GET /openapi.json',
          // Senders sign their deliveries instead; the function verifies the signature.
          'POST /webhooks/{source}',
          // The console's files load before anyone signs in; its API calls carry the token.
          'GET /console',
          'GET /console/{proxy+}',
          // The system sends the person's browser back here; the single-use state is the proof.
          'GET /connections/{system}/callback',
        ];
        if (open.includes(route.RouteKey))
          expect(route.AuthorizationType, route.RouteKey).toBe('NONE');
        else expect(route.AuthorizationType, route.RouteKey).toBe('JWT');
      }
      api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: {
          Issuer: 'https://toolgate-dev.auth.example.com',
          Audience: ['toolgate'],
        },
      });
    });

    it('deploys exactly the routes local mode serves, each to the same function, with the same authorizer', () => {
      const functionsById = api.findResources('AWS::Lambda::Function');
      const integrations = api.findResources('AWS::ApiGatewayV2::Integration');
      // A per-tool function's description names its tool where the manifest says {tool}.
      const entryOf = (description: string) =>
        functions.find((fn) => {
          if (!('per' in fn)) return description === fn.description;
          const [before = '', after = ''] = fn.description.split('{tool}');
          return description.startsWith(before) && description.endsWith(after);
        })?.name;
      const deployed = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map((route) => {
        const integrationId = String(route.Properties.Target['Fn::Join'][1][1].Ref);
        const functionId = integrations[integrationId]?.Properties.IntegrationUri['Fn::GetAtt'][0];
        const description = String(functionsById[functionId]?.Properties.Description);
        return `${route.Properties.RouteKey} → ${entryOf(description)} (${route.Properties.AuthorizationType})`;
      });
      const local = localRouteTable(tools.map((tool) => tool.name)).map(
        (route) =>
          `${route.method} ${route.path} → ${route.functionName} (${route.open ? 'NONE' : 'JWT'})`,
      );
      expect(deployed.sort()).toEqual(local.sort());
    });

    it('deploys exactly the routes the OpenAPI document describes', () => {
      const routeKeys = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map((route) =>
        String(route.Properties.RouteKey),
      );
      const doc = openApiDocument(tools, 'https://api.example.com') as Parameters<
        typeof documentedRoutes
      >[0];
      expect(
        asDocumented(
          routeKeys,
          tools.map((tool) => tool.name),
        ),
      ).toEqual(documentedRoutes(doc));
    });

    it('logs access and throttles by default on the stage', () => {
      api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('requestId') }),
        DefaultRouteSettings: Match.objectLike({
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      });
    });

    it('throttles the costly write tools per route, and limits each user in every tool function', () => {
      const stage = api.findResources('AWS::ApiGatewayV2::Stage');
      const [settings] = Object.values(stage).map((resource) => resource.Properties.RouteSettings);
      const toolSettings = Object.entries(settings).filter(([key]) =>
        key.startsWith('POST /tools/'),
      );
      expect(Object.fromEntries(toolSettings)).toEqual({
        'POST /tools/create_order': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        'POST /tools/send_email': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      });
      const toolFunctions = Object.values(api.findResources('AWS::Lambda::Function')).filter(
        (resource) => String(resource.Properties.Description).startsWith('POST /tools/'),
      );
      expect(toolFunctions).toHaveLength(tools.length);
      for (const resource of toolFunctions)
        expect(resource.Properties.Environment.Variables.USER_RATE_LIMIT).toBe('300/60');
    });

    it("passes the stage's mail settings to every function that runs tools, so proposal and saga step check the same senders", () => {
      const runsTools = Object.values(api.findResources('AWS::Lambda::Function')).filter(
        (resource) =>
          resource.Properties.Environment?.Variables?.TOOL_NAME ||
          /^(POST \/mcp|Conversation-start prefetch)/.test(resource.Properties.Description),
      );
      expect(runsTools).toHaveLength(tools.length + tools.filter(isWriteTool).length + 2);
      for (const resource of runsTools) {
        expect(resource.Properties.Environment.Variables).toMatchObject({
          MAIL_SENDER: 'assistant@acme.example',
          MAIL_ALLOWED_SENDERS: '',
          MAIL_ROLE_SENDERS: '{}',
          MAIL_AI_FOOTER: expect.stringMatching(/AI assistant/),
        });
      }
    });

    it('creates every route a stage setting names before the stage', () => {
      const stages = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'));
      expect(Object.keys(stages[0]?.Properties.RouteSettings ?? {}).length).toBeGreaterThan(0);
      expect(routeSettingsWithoutDependency(api)).toEqual([]);
    });

    it('throttles every route without the authorizer on its own, under the stage default', () => {
      const [stage] = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'));
      const settings = stage?.Properties.RouteSettings as Record<string, unknown>;
      const open = [...functionsBehindRoutes(api, (r) => r.authorizationType === 'NONE').keys()];
      expect(open.sort()).toEqual(
        [
          'GET /health',
          'GET /openapi.json',
          'GET /.well-known/oauth-protected-resource',
          'POST /mcp',
          'GET /mcp',
          'DELETE /mcp',
          'POST /webhooks/{source}',
          'GET /console',
          'GET /console/{proxy+}',
          'GET /connections/{system}/callback',
        ].sort(),
      );
      const metadata = { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 };
      const busy = { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 };
      const pages = { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 40 };
      expect(Object.fromEntries(open.map((key) => [key, settings[key]]))).toEqual({
        'GET /health': metadata,
        'GET /openapi.json': metadata,
        'GET /.well-known/oauth-protected-resource': metadata,
        'POST /mcp': busy,
        'GET /mcp': busy,
        'DELETE /mcp': busy,
        'POST /webhooks/{source}': busy,
        'GET /console': pages,
        'GET /console/{proxy+}': pages,
        'GET /connections/{system}/callback': pages,
      });
    });

    it('caps every function behind a route without the authorizer with a modest reserved concurrency', () => {
      const functions = api.findResources('AWS::Lambda::Function');
      const reserved = (id: string) => functions[id]?.Properties.ReservedConcurrentExecutions;
      const open = functionsBehindRoutes(api, (r) => r.authorizationType === 'NONE');
      const caps = Object.fromEntries(
        [...new Set(open.values())].map((id) => [
          id.replace(/Function[0-9A-F]{8}$/, ''),
          reserved(id),
        ]),
      );
      expect(caps).toEqual({
        Health: 2,
        OpenApi: 2,
        Mcp: 20,
        WebhookReceive: 10,
        Console: 5,
        ConnectionCallback: 5,
      });
      // The tool functions keep the account's unreserved pool, which must stay at 100 or more.
      const total = Object.keys(functions).reduce((sum, id) => sum + (reserved(id) ?? 0), 0);
      expect(total).toBe(44);
    });

    it("bundles the built web console beside the console function's handler, every file its page names included", () => {
      const [fn] = Object.values(api.findResources('AWS::Lambda::Function')).filter((resource) =>
        String(resource.Properties.Description).startsWith('GET /console'),
      );
      const key = String(fn?.Properties.Code.S3Key);
      const bundle = join(synth.outdir, `asset.${key.replace(/\.zip$/, '')}`);
      expect(readdirSync(bundle)).toContain('index.mjs');
      const index = readFileSync(join(bundle, 'console', 'index.html'), 'utf8');
      const named = [...index.matchAll(/(?:src|href)="\/console\/([^"]+)"/g)].map((m) => m[1]);
      expect(named.map((name) => name?.replace(/-[A-Z0-9]{8,}\./, '-<hash>.')).sort()).toEqual([
        'app-<hash>.css',
        'app-<hash>.js',
        'icon-<hash>.svg',
      ]);
      for (const name of named)
        expect(existsSync(join(bundle, 'console', `${name}`)), name).toBe(true);
      expect(fn?.Properties.Environment.Variables).toMatchObject({
        JWT_ISSUER: 'https://toolgate-dev.auth.example.com',
        JWT_AUDIENCE: 'toolgate',
        CONSOLE_SCOPE: 'openid',
      });
    });

    it("bundles the Cedar engine beside the tool and MCP functions' handlers, and not the rules, which come with the policy", () => {
      // Arrange: every tool function and the MCP function, by description
      const carriers = Object.values(api.findResources('AWS::Lambda::Function')).filter(
        (resource) =>
          String(resource.Properties.Description).startsWith('POST /tools/') ||
          String(resource.Properties.Description).startsWith('POST /mcp'),
      );
      expect(carriers).toHaveLength(tools.length + 1);
      for (const fn of carriers) {
        // Act
        const key = String(fn.Properties.Code.S3Key);
        const bundle = join(synth.outdir, `asset.${key.replace(/\.zip$/, '')}`);

        // Assert: the engine beside index.mjs; the rules come with the policy, from AppConfig
        expect(readdirSync(bundle)).toEqual(
          expect.arrayContaining(['index.mjs', 'cedar_wasm_bg.wasm']),
        );
        expect(readdirSync(bundle)).not.toContain('infra');
      }
    });

    it('puts no function in a VPC and creates no network resources without VPC settings', () => {
      const functions = Object.values(api.findResources('AWS::Lambda::Function'));
      expect(functions.filter((fn) => fn.Properties.VpcConfig)).toEqual([]);
      expect(api.findResources('AWS::EC2::VPCEndpoint')).toEqual({});
      expect(api.findResources('AWS::EC2::SecurityGroup')).toEqual({});
    });

    it('lets only the customer read tools and MCP start the conversation prefetch, through its queue', () => {
      const functions = api.findResources('AWS::Lambda::Function');
      const [prefetchId] = Object.keys(functions).filter((id) =>
        id.startsWith('ConversationPrefetch'),
      );
      expect(prefetchId).toBeDefined();
      api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: prefetchId },
        BatchSize: 10,
      });
      const sendsPrefetches = (statement: { Action: unknown; Resource: unknown }) =>
        [statement.Action].flat().includes('sqs:SendMessage') &&
        JSON.stringify(statement.Resource).includes('PrefetchQueue');
      const senders = Object.values(api.findResources('AWS::IAM::Policy'))
        .filter((policy) => policy.Properties.PolicyDocument.Statement.some(sendsPrefetches))
        .map((policy) => policy.Properties.Roles[0].Ref as string);
      const customerReads = tools
        .filter(
          (tool) =>
            tool.risk === 'read' &&
            'customerId' in tool.input.shape &&
            tool.name !== 'get_customer_context',
        )
        .map(
          (tool) =>
            `Tool${tool.name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`,
        );
      expect(senders).toHaveLength(customerReads.length + 1);
      for (const name of [...customerReads, 'Mcp'])
        expect(senders.some((role) => role.startsWith(name))).toBe(true);
      stateful.hasResourceProperties('AWS::SQS::Queue', {
        MessageRetentionPeriod: 300,
        SqsManagedSseEnabled: true,
      });
    });

    it('alarms when a circuit breaker opens, for every system, on the metric as Powertools writes it (with its service)', () => {
      for (const system of systems) {
        api.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `Toolgate-dev-Api-system-${system.id}-circuit-opened`,
          Namespace: 'Toolgate',
          MetricName: 'CircuitOpened',
          // CloudFormation gets the dimensions sorted by name: upper case first.
          Dimensions: [
            { Name: 'System', Value: system.id },
            { Name: 'service', Value: 'toolgate' },
          ],
        });
      }
    });

    it("keeps the API stack and each of its nested stacks well under CloudFormation's 500 resources", () => {
      // A tool's function, route and saga are in its system's nested stack; the API stack keeps a
      // resource per nested stack and a write tool's two alarms. test/infra/many-systems.test.ts
      // adds twenty systems.
      const counts = synth.resourceCounts('api');
      expect(Object.keys(counts)).toEqual(
        expect.arrayContaining(['Toolgate-dev-Api', 'Toolgate-dev-Api/ToolsFacilities']),
      );
      for (const [stack, resources] of Object.entries(counts))
        expect(resources, stack).toBeLessThanOrEqual(400);
    });

    it("alarms on the 5xx rate, p99 latency and every function's errors", () => {
      const alarms = Object.values(api.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms.some((alarm) => JSON.stringify(alarm).includes('errors / requests'))).toBe(
        true,
      );
      api.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ExtendedStatistic: 'p99',
        Threshold: 5000,
      });
      // Every function's errors, ten functions of a stack to an alarm of that stack, each once.
      const functions = api.findResources('AWS::Lambda::Function');
      const stackOf = (resource: { Metadata?: Record<string, unknown> }) =>
        String(resource.Metadata?.[NESTED_IN] ?? 'parent');
      const errorAlarms = alarms.filter((alarm) => JSON.stringify(alarm).includes('FILL(e0, 0)'));
      const alarmed = errorAlarms.flatMap((alarm) =>
        ((alarm.Properties.Metrics ?? []) as Record<string, any>[])
          .filter((query) => query.MetricStat?.Metric?.MetricName === 'Errors')
          .map((query) => {
            const id = query.MetricStat.Metric.Dimensions[0].Value.Ref as string;
            expect(stackOf(functions[id] ?? {}), id).toBe(stackOf(alarm));
            return id;
          }),
      );
      expect(alarmed.sort()).toEqual(Object.keys(functions).sort());
      const perStack = new Map<string, number>();
      for (const fn of Object.values(functions))
        perStack.set(stackOf(fn), (perStack.get(stackOf(fn)) ?? 0) + 1);
      expect(errorAlarms).toHaveLength(
        [...perStack.values()].reduce((sum, count) => sum + Math.ceil(count / 10), 0),
      );
      // Each names its functions, as the dashboard does.
      for (const alarm of errorAlarms)
        expect(alarm.Properties.AlarmDescription).toMatch(
          /^Lambda errors .* in [A-Z]\w+(, [A-Z]\w+)*$/,
        );
      expect(errorAlarms.map((alarm) => alarm.Properties.AlarmDescription).join()).toContain(
        'ToolGetAsset',
      );
    });
  });

  describe('webhooks', () => {
    it('keeps receipts and the event log in a table with TTL, and events on an encrypted queue with a dead-letter queue', () => {
      stateful.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 180,
        RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
      });
      stateful.hasResourceProperties('AWS::Events::EventBus', {});
      const webhookSecrets = Object.entries(stateful.findResources('AWS::SecretsManager::Secret'))
        .filter(([id]) => id.includes('WebhookSecret'))
        .map(([, secret]) => secret.Properties.GenerateSecretString.GenerateStringKey);
      expect(webhookSecrets).toEqual(webhookSources.map(() => 'current'));
    });

    it('lets the receiving function read the webhook secrets, write receipts and send to the queue, and nothing else', () => {
      const functions = api.findResources('AWS::Lambda::Function');
      const [receiveId] = Object.keys(functions).filter((id) => id.startsWith('WebhookReceive'));
      expect(receiveId).toBeDefined();
      const role = functions[receiveId as string]?.Properties.Role['Fn::GetAtt'][0];
      const statements = Object.values(api.findResources('AWS::IAM::Policy'))
        .filter((policy) => policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      const actions = statements.flatMap((statement: { Action: string | string[] }) =>
        Array.isArray(statement.Action) ? statement.Action : [statement.Action],
      );
      expect(actions).toContain('dynamodb:PutItem');
      expect(actions).toContain('dynamodb:DeleteItem');
      expect(actions).toContain('sqs:SendMessage');
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions).not.toContain('events:PutEvents');
      const secretReads = statements.filter((statement: { Action: string | string[] }) =>
        [statement.Action].flat().includes('secretsmanager:GetSecretValue'),
      );
      // Only the webhook secrets, never a system's credentials
      expect(JSON.stringify(secretReads)).toContain('WebhookSecret');
      expect(JSON.stringify(secretReads)).not.toMatch(/(Crm|Erp|Ticketing|Mail)Secret[A-F0-9]/);
    });

    it('consumes the events queue with partial batch failures, publishes to the bus and alarms on dead letters', () => {
      api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
      });
      const policies = JSON.stringify(api.findResources('AWS::IAM::Policy'));
      expect(policies).toContain('events:PutEvents');
      api.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: 'Webhook events reached the dead-letter queue: they were not processed',
      });
    });
  });

  describe('write path', () => {
    it('queues writes on an encrypted, TLS-only queue with a dead-letter queue and a long enough visibility timeout', () => {
      stateful.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 180,
        RedrivePolicy: Match.objectLike({ maxReceiveCount: 18 }),
      });
      // One TLS-only policy per queue, the audit archive's dead-letter queue included.
      const policies = Object.values(stateful.findResources('AWS::SQS::QueuePolicy'));
      expect(policies).toHaveLength(6);
      expect(policies).toHaveLength(Object.keys(stateful.findResources('AWS::SQS::Queue')).length);
      for (const policy of policies)
        expect(JSON.stringify(policy)).toContain('aws:SecureTransport');
    });

    it('consumes the write queue with partial batch failures', () => {
      api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
      });
    });

    it('has one Standard saga state machine per write tool, each with its own step function', () => {
      const machines = Object.values(api.findResources('AWS::StepFunctions::StateMachine'));
      const writeTools = tools.filter((tool) => tool.risk === 'write');
      expect(machines).toHaveLength(writeTools.length);
      for (const machine of machines) expect(machine.Properties.StateMachineType).toBe('STANDARD');
      const steps = Object.values(api.findResources('AWS::Lambda::Function')).filter((fn) =>
        String(fn.Properties.Description).startsWith('Saga steps of '),
      );
      expect(steps.map((fn) => fn.Properties.Environment.Variables.TOOL_NAME).sort()).toEqual(
        writeTools.map((tool) => tool.name).sort(),
      );
    });

    it('alarms on dead letters, old queued writes and sagas that could not roll back', () => {
      const descriptions = Object.values(api.findResources('AWS::CloudWatch::Alarm')).map((alarm) =>
        String(alarm.Properties.AlarmDescription),
      );
      expect(descriptions.some((text) => text.includes('dead-letter queue'))).toBe(true);
      expect(descriptions.some((text) => text.includes('waited in the queue'))).toBe(true);
      expect(descriptions.filter((text) => text.includes('could not be rolled back'))).toHaveLength(
        tools.filter((tool) => tool.risk === 'write').length,
      );
    });
  });
});
