import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { loadArgumentRules } from '../layers/argument-policy/argument-rules.ts';
import { readCedarFiles } from '../layers/argument-policy/policy-files.ts';
import { declaredBaseUrls, systems } from '../layers/systems/registry.ts';
import { checkDeclarations, tools } from '../layers/tools/registry.ts';
import { checkSqlTools } from '../layers/tools/sql-tool-check.ts';
import { webhookSources } from '../layers/webhooks/sources.ts';
import { resolveStage } from './config/configs.ts';
import { addPolicyChecks } from './policy-checks.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';

/** The project root: context paths (`-c policyFile`) are relative to it. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The CDK app; the only place that reads context and environment.
 * `npx cdk synth -c stage=dev` (default dev; `dev-<you>` for your own copy).
 */
export function buildApp(
  app: App,
  stage: string,
  context: (key: string) => string | undefined,
): { stateful: StatefulStack; api: ApiStack } {
  // Every declared tool is validated at synth, naming a bad file, field and fix.
  checkDeclarations();
  const systemIds = systems.map((system) => system.id);
  const config = resolveStage(
    stage,
    {
      issuerUrl: context('issuerUrl'),
      audience: context('audience'),
      rolesClaim: context('rolesClaim'),
      jwksUrl: context('jwksUrl'),
      publicBaseUrl: context('publicBaseUrl'),
      consoleClientId: context('consoleClientId'),
      systemBaseUrls: Object.fromEntries(
        systemIds.map((id) => [id, context(`${id}BaseUrl`) ?? declaredBaseUrls[id]]),
      ),
      systemTokenUrls: Object.fromEntries(systemIds.map((id) => [id, context(`${id}TokenUrl`)])),
      systemOAuthClientIds: Object.fromEntries(
        systemIds.map((id) => [id, context(`${id}OAuthClientId`)]),
      ),
      systemExchangeAudiences: Object.fromEntries(
        systemIds.map((id) => [id, context(`${id}ExchangeAudience`)]),
      ),
      systemExchangeScopes: Object.fromEntries(
        systemIds.map((id) => [id, context(`${id}ExchangeScope`)]),
      ),
      tokenExchangeUrl: context('tokenExchangeUrl'),
      tokenExchangeStyle: context('tokenExchangeStyle'),
      systemDbIamUsers: Object.fromEntries(systemIds.map((id) => [id, context(`${id}DbIamUser`)])),
      userRateLimit: context('userRateLimit'),
      toolThrottle: context('toolThrottle'),
      mailSender: context('mailSender'),
      mailAllowedSenders: context('mailAllowedSenders'),
      mailRoleSenders: context('mailRoleSenders'),
      mailAiFooter: context('mailAiFooter'),
      consoleIssuerUrl: context('consoleIssuerUrl'),
      consoleScope: context('consoleScope'),
      consoleConnectOrigins: context('consoleConnectOrigins'),
      openRoutes: context('openRoutes'),
      reservedConcurrency: context('reservedConcurrency'),
      vpcId: context('vpcId'),
      vpcSubnetIds: context('vpcSubnetIds'),
      vpcAvailabilityZones: context('vpcAvailabilityZones'),
      vpcRouteTableIds: context('vpcRouteTableIds'),
      privateSystems: context('privateSystems'),
      vpcEndpoints: context('vpcEndpoints'),
      auditRetentionYears: context('auditRetentionYears'),
      auditWriteCapacity: context('auditWriteCapacity'),
      powertoolsTracer: context('powertoolsTracer'),
    },
    systemIds,
  );
  const env: { account?: string; region?: string } = {};
  if (process.env.CDK_DEFAULT_ACCOUNT) env.account = process.env.CDK_DEFAULT_ACCOUNT;
  if (process.env.CDK_DEFAULT_REGION) env.region = process.env.CDK_DEFAULT_REGION;
  const prefix = `Toolgate-${stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    config,
    systems,
    webhookSources,
    terminationProtection: stage === 'prod',
  });
  const policyFile = context('policyFile') ?? 'infra/policy/policy.yaml';
  const refresh = context('policyRefreshSeconds');
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    config,
    policy: {
      file: resolve(ROOT, policyFile),
      shownAs: policyFile,
      ...(refresh === undefined ? {} : { refreshSeconds: Number(refresh) }),
    },
    tools,
    auditTable: stateful.auditTable,
    systemSecrets: stateful.systemSecrets,
    ...(stateful.tokenExchangeSecret ? { tokenExchangeSecret: stateful.tokenExchangeSecret } : {}),
    confirmationsTable: stateful.confirmationsTable,
    operationsTable: stateful.operationsTable,
    idempotencyTable: stateful.idempotencyTable,
    resilienceTable: stateful.resilienceTable,
    connectionsTable: stateful.connectionsTable,
    writeQueue: stateful.writeQueue,
    writeDeadLetterQueue: stateful.writeDeadLetterQueue,
    prefetchQueue: stateful.prefetchQueue,
    webhooks: {
      table: stateful.webhookTable,
      queue: stateful.eventsQueue,
      deadLetterQueue: stateful.eventsDeadLetterQueue,
      bus: stateful.eventBus,
      secrets: stateful.webhookSecrets,
    },
    notifications: {
      topic: stateful.notificationsTopic,
      chatWebhookSecrets: stateful.chatWebhookSecrets,
    },
    auditArchive: {
      deadLetterQueue: stateful.auditArchive.deadLetterQueue,
      deliveryStreamName: stateful.auditArchive.deliveryStream.ref,
    },
  });
  addPolicyChecks(app);
  return { stateful, api };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = new App();
  const context = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const stage =
    context('stage') ??
    `dev-${userInfo()
      .username.toLowerCase()
      .replace(/[^a-z0-9-]/g, '')}`;
  // A SQL tool whose declaration is refused (layers/tools/sql-tool-check.ts) stops the synth.
  const sqlProblems = await checkSqlTools(
    tools,
    systems,
    fileURLToPath(new URL('..', import.meta.url)),
  );
  if (sqlProblems.length > 0) throw new Error(`A SQL tool is refused:\n${sqlProblems.join('\n')}`);
  // Argument rules naming an unknown tool or input field, or not Cedar, stop the synth too.
  // They are the *.cedar files beside the policy file the deployment takes (-c policyFile).
  const policyFile = resolve(
    ROOT,
    String(app.node.tryGetContext('policyFile') ?? 'infra/policy/policy.yaml'),
  );
  await loadArgumentRules(readCedarFiles(dirname(policyFile)), tools);
  buildApp(app, stage === 'dev-' ? 'dev' : stage, context);
}
