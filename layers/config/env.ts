import * as z from 'zod';
import { rateLimitSetting } from './system-settings.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A comma-separated list, each item checked by `item`; unset or empty: none. */
const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

/** Mail addresses are compared without regard to case, as mail systems do. */
const address = z.email('must be an email address').transform((value) => value.toLowerCase());
const addressList = commaList(address);
const roleAddresses = z
  .string()
  .default('{}')
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'write it as JSON: {"<role>":["<address>",…]}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1), z.array(address)));

/**
 * Who `send_email` may send as, and the AI disclosure every message carries. Also checked by the
 * CDK app, so a bad stage setting fails the synth rather than the first cold start.
 */
export const mailEnvSchema = z.object({
  /** The gateway's own mailbox: the default sender, always allowed. @default assistant@acme.example */
  MAIL_SENDER: address.default('assistant@acme.example'),
  /** Further senders every caller of send_email may use, comma separated. @default none */
  MAIL_ALLOWED_SENDERS: addressList,
  /** Further senders per role, JSON `{"<role>":["<address>",…]}`. @default none */
  MAIL_ROLE_SENDERS: roleAddresses,
  /** Line appended to every message, saying an AI assistant prepared it. */
  MAIL_AI_FOOTER: z
    .string()
    .trim()
    .min(1, 'must say that an AI assistant prepared the message')
    .max(500)
    .default('This message was prepared with the help of an AI assistant.'),
});

/**
 * How the web console signs people in (functions/console), besides its OIDC client id
 * (CONSOLE_CLIENT_ID), and where its browser code may connect. Also read by the CDK app.
 */
export const consoleEnvSchema = z.object({
  /** Issuer the console signs people in with, when it is not JWT_ISSUER. @default JWT_ISSUER */
  CONSOLE_ISSUER: z.url().optional(),
  /** Scopes the console asks for, space separated. @default openid */
  CONSOLE_SCOPE: z.string().trim().min(1).default('openid'),
  /**
   * Further origins the console's browser code may call besides the gateway and the issuer, comma
   * separated: an issuer whose token endpoint is on another host (a Cognito domain). @default none
   */
  CONSOLE_CONNECT_ORIGINS: commaList(z.url().transform((url) => new URL(url).origin)),
  /** Directory of the console's built files. @default `console/` beside the function's bundle */
  CONSOLE_ASSETS_DIR: z.string().min(1).optional(),
});

/**
 * Runtime configuration of every function, read from the environment once per cold start.
 * Set by the CDK app on AWS and by `npm start` in local mode.
 */
export const runtimeEnvSchema = z.object({
  STAGE: z.string().min(1).default('local'),
  /** DynamoDB table of the audit trail (the audit ingest writes it, GET /audit reads it). */
  AUDIT_TABLE_NAME: z.string().min(1).optional(),
  /** Expected `iss` of bearer tokens, the OIDC issuer URL (functions that verify callers). */
  JWT_ISSUER: z.url().optional(),
  /** Expected `aud` of bearer tokens (functions that verify callers). */
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** JWKS URL. @default `${JWT_ISSUER}/.well-known/jwks.json` */
  JWT_JWKS_URL: z.url().optional(),
  /** Accepted signing algorithms, comma separated. @default RS256 */
  JWT_ALGORITHMS: z.string().default('RS256'),
  /** Claim that carries the caller's roles (array or space/comma separated string). @default roles */
  JWT_ROLES_CLAIM: z.string().default('roles'),
  /** Where system credentials come from: Secrets Manager on AWS, the local secrets file locally. */
  SECRETS_SOURCE: z.enum(['secretsmanager', 'file']).default('secretsmanager'),
  /** Path of the local secrets file when SECRETS_SOURCE=file. */
  LOCAL_SECRETS_FILE: z.string().optional(),
  /** How long a fetched secret is cached before it is read again. @default 300 */
  SECRETS_MAX_AGE_SECONDS: positiveInt(300),
  /** Default per-call timeout to business systems in ms. @default 5000 */
  UPSTREAM_TIMEOUT_MS: positiveInt(5000),
  /**
   * A successful read whose audit line cannot be written: `closed` answers 503 audit_unavailable,
   * `open` answers the data (and logs the failure). Writes always fail closed. @default closed
   */
  AUDIT_FAILURE_MODE: z.enum(['closed', 'open']).default('closed'),
  /**
   * File the audit lines are appended to (local mode: `<data dir>/audit-log/gateway.log`, read by
   * its tailer). @default unset: stdout, which Lambda hands to CloudWatch Logs
   */
  AUDIT_LOG_FILE: z.string().min(1).optional(),
  /** Days an audit record is kept (DynamoDB TTL; the audit ingest sets it). @default 365 */
  AUDIT_RETENTION_DAYS: positiveInt(365),
  /** Name of the tool this function serves (one function per tool on AWS); unset = all tools. */
  TOOL_NAME: z.string().optional(),
  /** Table of write confirmations (write tools, confirmation routes). */
  CONFIRMATIONS_TABLE_NAME: z.string().min(1).optional(),
  /** Table of operations (confirmed writes and their steps). */
  OPERATIONS_TABLE_NAME: z.string().min(1).optional(),
  /** Table of Powertools idempotency records (saga steps). */
  IDEMPOTENCY_TABLE_NAME: z.string().min(1).optional(),
  /** SQS queue confirmed writes go through. */
  WRITE_QUEUE_URL: z.url().optional(),
  /** How long a confirmed write waits in the queue for its system before it is given up. @default 86400 (24 h) */
  WRITE_WAIT_WINDOW_SECONDS: positiveInt(86_400),
  /** First pause of a waiting write; each later one doubles, up to SQS's 12 h. @default 30 */
  WRITE_WAIT_FIRST_DELAY_SECONDS: positiveInt(30),
  /** The saga state machines' ARN up to and including their name prefix (the write worker finds each write tool's by name). */
  SAGA_STATE_MACHINE_PREFIX: z
    .string()
    .regex(
      /^arn:[\w-]+:states:[\w-]*:\d*:stateMachine:[\w-]*$/,
      'must be a state machine ARN up to its name prefix: arn:aws:states:<region>:<account>:stateMachine:<prefix>',
    )
    .optional(),
  /** MCP tools/list: `all` permitted tools, or `search` (search_tools, pinned tools, write helpers). @default all */
  MCP_TOOL_LISTING: z.enum(['all', 'search']).default('all'),
  /** Tools listed over MCP even in `search` listing, comma separated. */
  MCP_PINNED_TOOLS: z.string().default('search_customers,get_customer'),
  /** Browser origins allowed to call /mcp besides the gateway's own address, comma separated; other Origin headers get 403. */
  MCP_ALLOWED_ORIGINS: z.string().default(''),
  /** Authorization server named in the MCP protected resource metadata. @default JWT_ISSUER */
  MCP_AUTHORIZATION_SERVER: z.url().optional(),
  /**
   * The console's OIDC client id: a token whose `azp` (else `client_id`) names it is a person's
   * own session, the only kind that confirms a write a person must approve. Unset: none is.
   */
  CONSOLE_CLIENT_ID: z.string().min(1).optional(),
  /** Public base URL of the gateway, for MCP metadata when the Host header is not it. */
  PUBLIC_BASE_URL: z.url().optional(),
  /**
   * Table of the state every instance shares: circuit breakers, rate budgets, kill switches, the
   * reference-data cache and prefetch claims. Unset: none of them (the kill-switch routes refuse).
   */
  RESILIENCE_TABLE_NAME: z.string().min(1).optional(),
  /**
   * The oldest read of the kill switches an instance decides from (re-read in the background
   * from a third of it on): a change is effective everywhere within it. @default 15000
   */
  SWITCHES_MAX_STALE_MS: positiveInt(15_000),
  /**
   * AWS AppConfig application, environment and configuration profile (ids) of the policy document
   * (the CDK app deploys it from infra/policy/). Unset: the policy local mode reads from its file
   * (layers/policy/instance-policy.ts).
   */
  POLICY_APPCONFIG_APPLICATION: z.string().min(1).optional(),
  POLICY_APPCONFIG_ENVIRONMENT: z.string().min(1).optional(),
  POLICY_APPCONFIG_PROFILE: z.string().min(1).optional(),
  /**
   * How old the policy may get before it is read again (seconds). AppConfig refuses a poll interval
   * under 15 s, and the CDK app sets no less; local mode's embedded AppConfig takes 1 s and up.
   */
  POLICY_REFRESH_SECONDS: z.coerce.number().int().min(1).default(60),
  /** How soon an instance adds the calls it counted to the figures of GET /systems (ms). @default 10000 */
  CALL_METRICS_FLUSH_MS: positiveInt(10_000),
  /** Caps every cached tool's TTL (seconds), e.g. to watch expiry locally; unset: the tools' own. */
  CACHE_MAX_TTL_SECONDS: z.coerce.number().int().positive().optional(),
  /** Tool calls each user may make, `<requests>/<seconds>` shared by every instance, or `off`. @default 300/60 */
  USER_RATE_LIMIT: rateLimitSetting.default({ requests: 300, perSeconds: 60 }),
  /** Conversation-start prefetch of get_customer_context: `queue` (to the prefetch function) or `off`. @default off */
  CONVERSATION_PREFETCH: z.enum(['off', 'queue']).default('off'),
  /** The SQS queue the prefetch function reads, when CONVERSATION_PREFETCH=queue. */
  PREFETCH_QUEUE_URL: z.url().optional(),
  /** How long a prefetched customer context answers its conversation. @default 300 */
  PREFETCH_TTL_SECONDS: positiveInt(300),
  /**
   * Table of users' connections to the systems called on their behalf (SYSTEM_<ID>_CREDENTIAL=user):
   * their tokens, refresh leases and pending authorizations.
   */
  CONNECTIONS_TABLE_NAME: z.string().min(1).optional(),
  /** How long a started connection (its state and PKCE verifier) may be completed. @default 600 */
  CONNECT_TTL_SECONDS: positiveInt(600),
  /**
   * The identity provider's token endpoint, for systems called with token exchange
   * (SYSTEM_<ID>_CREDENTIAL=exchange): the caller's token is exchanged there for the system's.
   */
  TOKEN_EXCHANGE_URL: z.url().optional(),
  /** `rfc8693` (RFC 8693 token exchange) or `entra_obo` (Entra ID on-behalf-of). @default rfc8693 */
  TOKEN_EXCHANGE_STYLE: z.enum(['rfc8693', 'entra_obo']).default('rfc8693'),
  /** The secret holding the gateway's client at the identity provider: `clientId`, `clientSecret`. */
  TOKEN_EXCHANGE_SECRET_ID: z.string().min(1).optional(),
  /** Table of webhook receipts (de-duplication) and the event log. */
  WEBHOOK_TABLE_NAME: z.string().min(1).optional(),
  /** SQS queue between the webhook endpoint and the event worker. */
  EVENTS_QUEUE_URL: z.url().optional(),
  /** EventBridge bus the event worker publishes to; unset (local mode): no publication. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  /** Largest webhook body accepted; larger ones get 413. @default 262144 */
  WEBHOOK_MAX_BODY_BYTES: positiveInt(262_144),
  /** How long the event log keeps an event. @default 30 */
  WEBHOOK_EVENT_RETENTION_DAYS: positiveInt(30),
  /** How long an open circuit breaker fails fast before probing. @default 30000 */
  BREAKER_COOLDOWN_MS: positiveInt(30_000),
  /**
   * ARN of the SNS topic people are notified through (a write waiting for a person, an operation
   * that ended failed). Unset: nobody is notified.
   */
  NOTIFICATIONS_TOPIC_ARN: z
    .string()
    .regex(/^arn:[\w-]+:sns:[\w-]*:\d*:[\w-]+$/, 'must be an SNS topic ARN')
    .optional(),
  /** Secret holding `{"url"}`, the Slack incoming webhook the notify function posts to. Unset: no Slack. */
  SLACK_WEBHOOK_SECRET_ID: z.string().min(1).optional(),
  /** Secret holding `{"url"}`, the Microsoft Teams webhook (Workflows) the notify function posts to. Unset: no Teams. */
  TEAMS_WEBHOOK_SECRET_ID: z.string().min(1).optional(),
  /** How long a write confirmation stays valid. @default 600 */
  CONFIRMATION_TTL_SECONDS: positiveInt(600),
  ...mailEnvSchema.shape,
  ...consoleEnvSchema.shape,
});
export type RuntimeEnv = z.output<typeof runtimeEnvSchema>;

/**
 * Checks that the settings a function's role needs are set, listing every missing one at once, so
 * a function deployed without them fails at cold start rather than at its first call.
 *
 * @example
 * const { AUDIT_TABLE_NAME } = requireSettings(env, 'POST /tools/{name}', ['AUDIT_TABLE_NAME']);
 */
export function requireSettings<const K extends keyof RuntimeEnv>(
  env: RuntimeEnv,
  role: string,
  names: readonly K[],
): RuntimeEnv & { [P in K]-?: NonNullable<RuntimeEnv[P]> } {
  const missing = names.filter((name) => env[name] === undefined || env[name] === '');
  if (missing.length > 0)
    throw new Error(`Invalid environment: ${role} needs ${missing.join(', ')}, which are not set`);
  return env as RuntimeEnv & { [P in K]-?: NonNullable<RuntimeEnv[P]> };
}

/**
 * Parses the environment, reporting every problem at once.
 *
 * @example
 * const env = parseEnv(process.env); // throws an Error listing each bad variable
 */
export function parseEnv(source: Record<string, string | undefined>): RuntimeEnv {
  const result = runtimeEnvSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  throw new Error(`Invalid environment: ${problems}`);
}
