import { RemovalPolicy } from 'aws-cdk-lib';
import * as z from 'zod';
import { consoleEnvSchema, mailEnvSchema } from '../../layers/config/env.ts';
import { parseRateLimit } from '../../layers/config/system-settings.ts';
import {
  type ImportedSubnet,
  type OpenRouteGroup,
  openRouteGroups,
  type PrivateNetwork,
  type StageConfig,
  type TokenExchangeConfig,
} from './stage-config.ts';

/** Values a deployer passes with `-c key=value`; they override the stage defaults. */
export interface StageOverrides {
  issuerUrl?: string | undefined;
  audience?: string | undefined;
  rolesClaim?: string | undefined;
  jwksUrl?: string | undefined;
  /** `-c publicBaseUrl=https://tools.acme.com`: the address in front of the API. */
  publicBaseUrl?: string | undefined;
  /** `-c consoleClientId=…`: the console's client id at the identity provider. */
  consoleClientId?: string | undefined;
  /** `-c crmBaseUrl=…`, `-c erpBaseUrl=…`, `-c ticketingBaseUrl=…`. */
  systemBaseUrls?: Readonly<Record<string, string | undefined>>;
  /**
   * `-c mailTokenUrl=https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`: the token URL
   * of an OAuth2 system whose identity provider is not its API host.
   */
  systemTokenUrls?: Readonly<Record<string, string | undefined>>;
  /**
   * `-c crmOAuthClientId=<client id>`: calls to that system run on behalf of the user (per-user
   * credentials), who connects through the gateway's OAuth client of that id at the system.
   */
  systemOAuthClientIds?: Readonly<Record<string, string | undefined>>;
  /**
   * `-c crmExchangeAudience=crm` and/or `-c crmExchangeScope=api://<app id>/.default`: calls to that
   * system carry a token exchanged for the caller's own at `-c tokenExchangeUrl=<token endpoint>`,
   * in `-c tokenExchangeStyle=rfc8693|entra_obo` (default rfc8693).
   */
  systemExchangeAudiences?: Readonly<Record<string, string | undefined>>;
  systemExchangeScopes?: Readonly<Record<string, string | undefined>>;
  tokenExchangeUrl?: string | undefined;
  tokenExchangeStyle?: string | undefined;
  /**
   * `-c logisticsDbIamUser=prx-0123456789abcdef0/toolgate_reader`: a database system reached with
   * IAM database authentication, as that user of that RDS instance, cluster or proxy.
   */
  systemDbIamUsers?: Readonly<Record<string, string | undefined>>;
  /** `-c userRateLimit=120/60` or `off`. */
  userRateLimit?: string | undefined;
  /** `-c toolThrottle='{"create_order":{"rateLimit":5,"burstLimit":10}}'`, merged over the defaults. */
  toolThrottle?: string | undefined;
  /** `-c mailSender=assistant@acme.com`: the gateway's own mailbox. */
  mailSender?: string | undefined;
  /** `-c mailAllowedSenders=service@acme.com,help@acme.com`: senders every caller may use. */
  mailAllowedSenders?: string | undefined;
  /** `-c mailRoleSenders='{"sales":["sales@acme.com"]}'`: senders per role. */
  mailRoleSenders?: string | undefined;
  /** `-c mailAiFooter='…'`: the AI disclosure line under every message. */
  mailAiFooter?: string | undefined;
  /** `-c consoleIssuerUrl=…`: the issuer people sign in to the console with. @default issuerUrl */
  consoleIssuerUrl?: string | undefined;
  /** `-c consoleScope='openid api://toolgate/.default'`: the scopes the console asks for. */
  consoleScope?: string | undefined;
  /** `-c consoleConnectOrigins=https://acme.auth.eu-west-1.amazoncognito.com`: a token endpoint on another host. */
  consoleConnectOrigins?: string | undefined;
  /** `-c openRoutes='{"mcp":{"rateLimit":50,"reservedConcurrency":40}}'`, merged over the defaults. */
  openRoutes?: string | undefined;
  /** `-c reservedConcurrency=off`: no reserved concurrency anywhere (an account with a small quota). */
  reservedConcurrency?: string | undefined;
  /** `-c vpcId=vpc-…`: the VPC of the functions that call a private system. */
  vpcId?: string | undefined;
  /** `-c vpcSubnetIds=subnet-a,subnet-b`, with as many `vpcAvailabilityZones` and `vpcRouteTableIds`. */
  vpcSubnetIds?: string | undefined;
  vpcAvailabilityZones?: string | undefined;
  vpcRouteTableIds?: string | undefined;
  /** `-c privateSystems=erp`: the systems reachable only inside the VPC. */
  privateSystems?: string | undefined;
  /** `-c vpcEndpoints=existing` when the VPC has its endpoints already. @default create */
  vpcEndpoints?: string | undefined;
  /** `-c auditRetentionYears=10`: how long the audit archive locks every record. @default 7 */
  auditRetentionYears?: string | undefined;
  /** `-c auditWriteCapacity=25-500`: provisioned, auto-scaled audit writes. @default on demand */
  auditWriteCapacity?: string | undefined;
  /** `-c powertoolsTracer=on`: Powertools Tracer on every handler. @default off */
  powertoolsTracer?: string | undefined;
}

type Defaults = Omit<
  StageConfig,
  | 'stage'
  | 'issuerUrl'
  | 'audience'
  | 'systemBaseUrls'
  | 'systemTokenUrls'
  | 'systemOAuthClientIds'
  | 'tokenExchange'
  | 'systemDbIamUsers'
  | 'rolesClaim'
  | 'mail'
  | 'consoleSignIn'
  | 'auditRetentionYears'
  | 'auditWriteCapacity'
  | 'powertoolsTracer'
> & {
  issuerUrl?: string;
  audience?: string;
  systemBaseUrls: Readonly<Record<string, string>>;
  /** Demo mailbox of non-production stages; production must name its own. */
  mailSender?: string;
};

/** Demo endpoints for non-production stages; production must name its own. */
const sandboxUrls = {
  crm: 'https://api.hubapi.com',
  erp: 'https://erp.example.com',
  ticketing: 'https://example.zendesk.com',
  mail: 'https://graph.microsoft.com',
  logistics: 'postgres://logistics-db.example.com:5432/logistics',
};

/** Writes that reach people or money get their own, lower ceiling per route. */
const writeToolThrottle = {
  create_order: { rateLimit: 10, burstLimit: 20 },
  send_email: { rateLimit: 10, burstLimit: 20 },
};

/**
 * The unauthenticated edge: each route its own throttle under the stage's, and each function behind
 * it a reserved concurrency that caps it (modest: every reservation leaves the account's unreserved
 * pool, which must stay at 100 or more).
 */
const openRoutes = (mcp: { rateLimit: number; reservedConcurrency: number }) => ({
  webhooks: { rateLimit: 25, burstLimit: 50, reservedConcurrency: 10 },
  mcp: {
    rateLimit: mcp.rateLimit,
    burstLimit: mcp.rateLimit * 2,
    reservedConcurrency: mcp.reservedConcurrency,
  },
  metadata: { rateLimit: 5, burstLimit: 10, reservedConcurrency: 2 },
  // A first visit loads four small files at once; the function answers from memory in ms.
  console: { rateLimit: 10, burstLimit: 40, reservedConcurrency: 5 },
});

const development: Defaults = {
  issuerUrl: 'https://toolgate-dev.auth.example.com',
  audience: 'toolgate',
  systemBaseUrls: sandboxUrls,
  logRetentionDays: 14,
  throttle: { rateLimit: 50, burstLimit: 100 },
  toolThrottle: writeToolThrottle,
  openRoutes: openRoutes({ rateLimit: 25, reservedConcurrency: 20 }),
  userRateLimit: '300/60',
  mailSender: 'assistant@acme.example',
  alarms: { serverErrorRate: 0.05, p99LatencyMs: 5000 },
  removalPolicy: RemovalPolicy.DESTROY,
  secretsMaxAgeSeconds: 300,
  writeWait: { windowSeconds: 86_400, firstDelaySeconds: 30 },
};

/** Every stage, listed. `dev-<user>` is each developer's own copy of `dev`. */
export const stages: Readonly<Record<string, Defaults>> = {
  dev: development,
  staging: { ...development, logRetentionDays: 30, removalPolicy: RemovalPolicy.RETAIN },
  prod: {
    systemBaseUrls: {},
    logRetentionDays: 365,
    throttle: { rateLimit: 200, burstLimit: 400 },
    toolThrottle: writeToolThrottle,
    openRoutes: openRoutes({ rateLimit: 50, reservedConcurrency: 50 }),
    userRateLimit: '300/60',
    alarms: { serverErrorRate: 0.01, p99LatencyMs: 3000 },
    removalPolicy: RemovalPolicy.RETAIN,
    secretsMaxAgeSeconds: 300,
    writeWait: { windowSeconds: 86_400, firstDelaySeconds: 30 },
  },
};

/**
 * The configuration of a stage: its defaults, then the deployer's overrides. Fails with a message
 * naming every missing setting.
 *
 * @example
 * resolveStage('dev-ana', {}); // the dev defaults under the name dev-ana
 * resolveStage('prod', { issuerUrl: 'https://login.acme.com/', audience: 'toolgate', systemBaseUrls: {...} });
 */
export function resolveStage(
  stage: string,
  overrides: StageOverrides,
  systemIds: readonly string[],
): StageConfig {
  const key = /^dev-[a-z0-9-]+$/.test(stage) ? 'dev' : stage;
  const defaults = stages[key];
  if (!defaults) {
    throw new Error(
      `Unknown stage "${stage}". Stages: ${Object.keys(stages).join(', ')}, or dev-<name>.`,
    );
  }
  const issuerUrl = overrides.issuerUrl ?? defaults.issuerUrl;
  const audience = overrides.audience ?? defaults.audience;
  const systemBaseUrls: Record<string, string> = {};
  const missing: string[] = [];
  for (const id of systemIds) {
    const url = overrides.systemBaseUrls?.[id] ?? defaults.systemBaseUrls[id];
    if (url) systemBaseUrls[id] = url;
    else missing.push(`-c ${id}BaseUrl=<url>`);
  }
  if (!issuerUrl) missing.push('-c issuerUrl=<OIDC issuer URL>');
  if (!audience) missing.push('-c audience=<expected aud>');
  const { mailSender: demoMailSender, ...settings } = defaults;
  const mailSender = overrides.mailSender ?? demoMailSender;
  if (!mailSender) missing.push("-c mailSender=<the gateway's own mailbox>");
  if (missing.length > 0 || !issuerUrl || !audience) {
    throw new Error(`Stage "${stage}" needs: ${missing.join(' ')}`);
  }
  const systemDbIamUsers: Record<string, { resourceId: string; user: string }> = {};
  for (const [id, value] of Object.entries(overrides.systemDbIamUsers ?? {})) {
    if (!value) continue;
    const match = /^((?:db|cluster|prx)-[A-Za-z0-9]+)\/([A-Za-z_][A-Za-z0-9_$]{0,62})$/.exec(value);
    if (!match?.[1] || !match[2])
      throw new Error(
        `${id}DbIamUser must be <resource id>/<user>, e.g. prx-0123456789abcdef0/toolgate_reader (an RDS instance db-…, cluster cluster-… or proxy prx-…), got ${value}`,
      );
    systemDbIamUsers[id] = { resourceId: match[1], user: match[2] };
  }
  const userRateLimit = overrides.userRateLimit ?? defaults.userRateLimit;
  if (!parseRateLimit(userRateLimit)) {
    throw new Error(
      `userRateLimit must be <requests>/<seconds> (e.g. 300/60) or off, got ${userRateLimit}`,
    );
  }
  const toolThrottle = { ...defaults.toolThrottle, ...parseToolThrottle(overrides.toolThrottle) };
  if (!issuerUrl.startsWith('https://'))
    throw new Error(`issuerUrl must be an https URL, got ${issuerUrl}`);
  const { publicBaseUrl } = overrides;
  if (publicBaseUrl && !URL.canParse(publicBaseUrl))
    throw new Error(
      `publicBaseUrl must be a URL such as https://tools.acme.com, got ${publicBaseUrl}`,
    );
  return {
    ...settings,
    stage,
    issuerUrl,
    audience,
    rolesClaim: overrides.rolesClaim ?? 'roles',
    ...(overrides.jwksUrl ? { jwksUrl: overrides.jwksUrl } : {}),
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
    ...(overrides.consoleClientId ? { consoleClientId: overrides.consoleClientId } : {}),
    systemBaseUrls,
    systemDbIamUsers,
    systemTokenUrls: Object.fromEntries(
      Object.entries(overrides.systemTokenUrls ?? {}).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
      ),
    ),
    systemOAuthClientIds: Object.fromEntries(
      Object.entries(overrides.systemOAuthClientIds ?? {}).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
      ),
    ),
    ...parseTokenExchange(overrides, systemIds),
    userRateLimit,
    toolThrottle,
    mail: parseMail({ ...overrides, mailSender }),
    consoleSignIn: parseSignIn(overrides),
    openRoutes: resolveOpenRoutes(defaults.openRoutes, overrides),
    auditRetentionYears: parseRetentionYears(overrides.auditRetentionYears),
    ...parseWriteCapacity(overrides.auditWriteCapacity),
    powertoolsTracer: parseOnOff('powertoolsTracer', overrides.powertoolsTracer),
    ...resolveNetwork(overrides, systemIds),
  };
}

/**
 * Token exchange of the stage: any `-c <system>ExchangeAudience` or `-c <system>ExchangeScope`
 * turns it on for that system, and needs `-c tokenExchangeUrl` (https); Entra ID's on-behalf-of
 * needs each system's scope. A bad value fails the synth naming its context key.
 */
function parseTokenExchange(
  overrides: StageOverrides,
  systemIds: readonly string[],
): { tokenExchange?: TokenExchangeConfig } {
  const systems: Record<string, { audience?: string; scope?: string }> = {};
  for (const id of systemIds) {
    const audience = overrides.systemExchangeAudiences?.[id] || undefined;
    const scope = overrides.systemExchangeScopes?.[id] || undefined;
    if (audience || scope)
      systems[id] = { ...(audience ? { audience } : {}), ...(scope ? { scope } : {}) };
  }
  if (Object.keys(systems).length === 0) return {};
  const { tokenExchangeUrl: url, tokenExchangeStyle: style = 'rfc8693' } = overrides;
  if (!url?.startsWith('https://') || !URL.canParse(url))
    throw new Error(
      `tokenExchangeUrl must be the https token endpoint of the identity provider (Entra ID: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token) when ${Object.keys(
        systems,
      )
        .map((id) => `${id}ExchangeAudience or ${id}ExchangeScope`)
        .join(', ')} is set, got ${url ?? 'nothing'}`,
    );
  if (style !== 'rfc8693' && style !== 'entra_obo')
    throw new Error(`tokenExchangeStyle must be rfc8693 or entra_obo, got ${style}`);
  const unscoped = Object.entries(systems).filter(([, target]) => !target.scope);
  if (style === 'entra_obo' && unscoped.length > 0)
    throw new Error(
      `tokenExchangeStyle=entra_obo needs ${unscoped.map(([id]) => `-c ${id}ExchangeScope=api://<app id>/.default`).join(' ')}`,
    );
  return { tokenExchange: { url, style, systems } };
}

/**
 * `-c` settings checked by the schema the functions parse them with, each given as
 * `VARIABLE: [contextKey, value]`: a bad one fails the synth naming its context key.
 */
function parseContext<S extends z.ZodType>(
  what: string,
  schema: S,
  values: Record<string, readonly [contextKey: string, value: string | undefined]>,
): z.output<S> {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(values).map(([variable, [, value]]) => [variable, value])),
  );
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const [variable = '', ...rest] = issue.path.map(String);
    return `${[values[variable]?.[0] ?? variable, ...rest].join('.')}: ${issue.message}`;
  });
  throw new Error(`Invalid ${what} settings: ${problems.join('; ')}`);
}

/** How many years the audit archive locks each record when no `-c auditRetentionYears` is given. */
export const DEFAULT_AUDIT_RETENTION_YEARS = 7;

/** Years an audit record stays locked: a whole number from 1 to 99 (within S3 Object Lock's limit). */
function parseRetentionYears(value: string | undefined): number {
  if (value === undefined) return DEFAULT_AUDIT_RETENTION_YEARS;
  const years = Number(value);
  if (!/^\d+$/.test(value) || years < 1 || years > 99)
    throw new Error(
      `auditRetentionYears must be a whole number of years from 1 to 99 (e.g. -c auditRetentionYears=7), got ${value}`,
    );
  return years;
}

/** `on` or `off` (the default). */
function parseOnOff(key: string, value: string | undefined): boolean {
  if (value === undefined || value === 'off') return false;
  if (value === 'on') return true;
  throw new Error(`${key} must be on or off (e.g. -c ${key}=on), got ${value}`);
}

/** `<min>-<max>` write units, e.g. `25-500`: the audit table provisioned and auto scaled. */
function parseWriteCapacity(
  value: string | undefined,
): Pick<StageConfig, 'auditWriteCapacity'> | Record<string, never> {
  if (value === undefined || value === 'on-demand') return {};
  const match = /^(\d+)-(\d+)$/.exec(value);
  const min = Number(match?.[1]);
  const max = Number(match?.[2]);
  if (!match || min < 1 || max < min || max > 40_000)
    throw new Error(
      `auditWriteCapacity must be <min>-<max> write units with 1 <= min <= max <= 40000 (e.g. -c auditWriteCapacity=25-500), or on-demand; got ${value}`,
    );
  return { auditWriteCapacity: { min, max } };
}

/** The mail settings. */
function parseMail(overrides: StageOverrides): StageConfig['mail'] {
  const mail = parseContext('mail', mailEnvSchema, {
    MAIL_SENDER: ['mailSender', overrides.mailSender],
    MAIL_ALLOWED_SENDERS: ['mailAllowedSenders', overrides.mailAllowedSenders],
    MAIL_ROLE_SENDERS: ['mailRoleSenders', overrides.mailRoleSenders],
    MAIL_AI_FOOTER: ['mailAiFooter', overrides.mailAiFooter],
  });
  return {
    sender: mail.MAIL_SENDER,
    allowedSenders: mail.MAIL_ALLOWED_SENDERS,
    roleSenders: mail.MAIL_ROLE_SENDERS,
    aiFooter: mail.MAIL_AI_FOOTER,
  };
}

/** How the web console signs people in, besides its client id (`consoleClientId`). */
function parseSignIn(overrides: StageOverrides): StageConfig['consoleSignIn'] {
  const settings = parseContext('console', consoleEnvSchema, {
    CONSOLE_ISSUER: ['consoleIssuerUrl', overrides.consoleIssuerUrl],
    CONSOLE_SCOPE: ['consoleScope', overrides.consoleScope],
    CONSOLE_CONNECT_ORIGINS: ['consoleConnectOrigins', overrides.consoleConnectOrigins],
  });
  return {
    ...(settings.CONSOLE_ISSUER ? { issuerUrl: settings.CONSOLE_ISSUER } : {}),
    scope: settings.CONSOLE_SCOPE,
    connectOrigins: settings.CONSOLE_CONNECT_ORIGINS,
  };
}

/** `-c toolThrottle` as JSON: tool name → { rateLimit, burstLimit }, both positive numbers. */
function parseToolThrottle(value: string | undefined): StageConfig['toolThrottle'] {
  if (!value) return {};
  const fix = 'write it as {"<tool>":{"rateLimit":<per second>,"burstLimit":<requests>}}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`toolThrottle is not JSON: ${fix}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`toolThrottle: ${fix}`);
  for (const [tool, limits] of Object.entries(parsed)) {
    const { rateLimit, burstLimit } = (limits ?? {}) as Record<string, unknown>;
    if (!(Number(rateLimit) > 0 && Number(burstLimit) > 0))
      throw new Error(`toolThrottle.${tool}: ${fix}`);
  }
  return parsed as StageConfig['toolThrottle'];
}

const positive = z.number().positive();
const openRouteOverride = z
  .object({
    rateLimit: positive.optional(),
    burstLimit: positive.optional(),
    reservedConcurrency: z.union([z.number().int().positive(), z.literal('off')]).optional(),
  })
  .strict();
const openRoutesOverride = z
  .object(Object.fromEntries(openRouteGroups.map((group) => [group, openRouteOverride.optional()])))
  .strict();

/** The open routes' limits: the defaults, `-c openRoutes` merged per group, then `-c reservedConcurrency=off`. */
function resolveOpenRoutes(
  defaults: StageConfig['openRoutes'],
  overrides: StageOverrides,
): StageConfig['openRoutes'] {
  const fix = `write it as {"<${openRouteGroups.join('|')}>":{"rateLimit":<per second>,"burstLimit":<requests>,"reservedConcurrency":<functions>|"off"}}`;
  let parsed: z.infer<typeof openRoutesOverride> = {};
  if (overrides.openRoutes) {
    let json: unknown;
    try {
      json = JSON.parse(overrides.openRoutes);
    } catch {
      throw new Error(`openRoutes is not JSON: ${fix}`);
    }
    const result = openRoutesOverride.safeParse(json);
    if (!result.success) {
      const problems = result.error.issues.map(
        (issue) => `${['openRoutes', ...issue.path].join('.')}: ${issue.message}`,
      );
      throw new Error(`${problems.join('; ')}; ${fix}`);
    }
    parsed = result.data;
  }
  const reservation = overrides.reservedConcurrency;
  if (reservation !== undefined && reservation !== 'off')
    throw new Error(
      `reservedConcurrency takes only "off" (set numbers per group with -c openRoutes), got ${reservation}`,
    );
  return Object.fromEntries(
    openRouteGroups.map((group: OpenRouteGroup) => {
      const limits = { ...defaults[group], ...parsed[group] };
      return [group, reservation === 'off' ? { ...limits, reservedConcurrency: 'off' } : limits];
    }),
  ) as StageConfig['openRoutes'];
}

/** The VPC settings, all or none; every problem named with its `-c` key. */
function resolveNetwork(
  overrides: StageOverrides,
  systemIds: readonly string[],
): { network?: PrivateNetwork } {
  const keys = [
    'vpcId',
    'vpcSubnetIds',
    'vpcAvailabilityZones',
    'vpcRouteTableIds',
    'privateSystems',
    'vpcEndpoints',
  ] as const;
  if (keys.every((key) => overrides[key] === undefined)) return {};
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const subnetIds = list(overrides.vpcSubnetIds);
  const zones = list(overrides.vpcAvailabilityZones);
  const routeTables = list(overrides.vpcRouteTableIds);
  const privateSystems = list(overrides.privateSystems);
  const endpoints = overrides.vpcEndpoints ?? 'create';
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const id = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8,17}$`);
  check(id('vpc').test(overrides.vpcId ?? ''), '-c vpcId=vpc-<id> (the VPC of the functions)');
  check(
    subnetIds.length > 0 && subnetIds.every((subnet) => id('subnet').test(subnet)),
    '-c vpcSubnetIds=subnet-<id>,… (subnets with a route to the private systems)',
  );
  check(
    zones.length > 0 &&
      zones.length === subnetIds.length &&
      zones.every((zone) => /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(zone)),
    '-c vpcAvailabilityZones=<zone of each subnet, in order>,… (e.g. eu-west-1a)',
  );
  if (endpoints === 'create')
    check(
      routeTables.length > 0 &&
        routeTables.length === subnetIds.length &&
        routeTables.every((table) => id('rtb').test(table)),
      '-c vpcRouteTableIds=rtb-<id>,… (route table of each subnet, in order, for the DynamoDB endpoint)',
    );
  check(
    privateSystems.length > 0 && privateSystems.every((system) => systemIds.includes(system)),
    `-c privateSystems=<${systemIds.join('|')}>,… (the systems reachable only inside the VPC)`,
  );
  check(
    ['create', 'existing'].includes(endpoints),
    '-c vpcEndpoints=create|existing (existing: the VPC has its DynamoDB, SQS and Secrets Manager endpoints)',
  );
  if (problems.length > 0)
    throw new Error(`The VPC settings go together; fix: ${problems.join('; ')}`);
  const subnets = subnetIds.map(
    (subnet, index): ImportedSubnet => ({
      id: subnet,
      availabilityZone: zones[index] as string,
      ...(routeTables[index] ? { routeTableId: routeTables[index] } : {}),
    }),
  );
  return {
    network: {
      vpcId: overrides.vpcId as string,
      subnets,
      privateSystems,
      createEndpoints: endpoints === 'create',
    },
  };
}
