import { RemovalPolicy } from 'aws-cdk-lib';
import type { StageConfig } from './stage-config.ts';

/** Values a deployer passes with `-c key=value`; they override the stage defaults. */
export interface StageOverrides {
  issuerUrl?: string | undefined;
  audience?: string | undefined;
  rolesClaim?: string | undefined;
  jwksUrl?: string | undefined;
  /** `-c crmBaseUrl=…`, `-c erpBaseUrl=…`, `-c ticketingBaseUrl=…`. */
  systemBaseUrls?: Readonly<Record<string, string | undefined>>;
  /** `-c userRateLimit=120/60` or `off`. */
  userRateLimit?: string | undefined;
  /** `-c toolThrottle='{"create_order":{"rateLimit":5,"burstLimit":10}}'`, merged over the defaults. */
  toolThrottle?: string | undefined;
}

type Defaults = Omit<
  StageConfig,
  'stage' | 'issuerUrl' | 'audience' | 'systemBaseUrls' | 'rolesClaim'
> & {
  issuerUrl?: string;
  audience?: string;
  systemBaseUrls: Readonly<Record<string, string>>;
};

/** Demo endpoints for non-production stages; production must name its own. */
const sandboxUrls = {
  crm: 'https://api.hubapi.com',
  erp: 'https://erp.example.com',
  ticketing: 'https://example.zendesk.com',
  mail: 'https://graph.microsoft.com',
};

/** Writes that reach people or money get their own, lower ceiling per route. */
const writeToolThrottle = {
  create_order: { rateLimit: 10, burstLimit: 20 },
  send_email: { rateLimit: 10, burstLimit: 20 },
};

const development: Defaults = {
  issuerUrl: 'https://toolgate-dev.auth.example.com',
  audience: 'toolgate',
  systemBaseUrls: sandboxUrls,
  logRetentionDays: 14,
  throttle: { rateLimit: 50, burstLimit: 100 },
  toolThrottle: writeToolThrottle,
  userRateLimit: '300/60',
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
  if (missing.length > 0 || !issuerUrl || !audience) {
    throw new Error(`Stage "${stage}" needs: ${missing.join(' ')}`);
  }
  const userRateLimit = overrides.userRateLimit ?? defaults.userRateLimit;
  if (!/^(off|\d+\/\d+(\.\d+)?)$/.test(userRateLimit)) {
    throw new Error(
      `userRateLimit must be <requests>/<seconds> (e.g. 300/60) or off, got ${userRateLimit}`,
    );
  }
  const toolThrottle = { ...defaults.toolThrottle, ...parseToolThrottle(overrides.toolThrottle) };
  if (!issuerUrl.startsWith('https://'))
    throw new Error(`issuerUrl must be an https URL, got ${issuerUrl}`);
  return {
    ...defaults,
    stage,
    issuerUrl,
    audience,
    rolesClaim: overrides.rolesClaim ?? 'roles',
    ...(overrides.jwksUrl ? { jwksUrl: overrides.jwksUrl } : {}),
    systemBaseUrls,
    userRateLimit,
    toolThrottle,
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
