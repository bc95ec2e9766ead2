import type { RemovalPolicy } from 'aws-cdk-lib';
import type { DbIamUser } from '../constructs/system-environment.ts';

/** API Gateway throttling of a stage or a route: steady requests per second and burst. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * The routes without the JWT authorizer, which anyone can call, in groups with their own limits:
 * `webhooks` (`POST /webhooks/{source}`), `mcp` (`/mcp`), `console` (`/console/…`, the web
 * console's files), `metadata` (every other one: `/health`, `/openapi.json`,
 * `/.well-known/oauth-protected-resource`).
 */
export const openRouteGroups = ['webhooks', 'mcp', 'console', 'metadata'] as const;
export type OpenRouteGroup = (typeof openRouteGroups)[number];

export interface OpenRouteLimits extends Throttle {
  /**
   * Reserved concurrency of each function behind the group's routes: the most instances a flood
   * of unauthenticated requests can take from the account's pool, which the tool functions share.
   * `off`: no reservation.
   */
  readonly reservedConcurrency: number | 'off';
}

/** A subnet of the deployer's VPC, imported as is (synth stays offline: no lookup). */
export interface ImportedSubnet {
  readonly id: string;
  readonly availabilityZone: string;
  /** Needed for the DynamoDB gateway endpoint's routes; absent with existing endpoints. */
  readonly routeTableId?: string;
}

/** The VPC in which the functions that call a private system run. */
export interface PrivateNetwork {
  readonly vpcId: string;
  /** Subnets of those functions and of the interface endpoints; routes to the private systems. */
  readonly subnets: readonly ImportedSubnet[];
  /** Systems reachable only from inside the VPC, by system id. */
  readonly privateSystems: readonly string[];
  /**
   * Create the VPC endpoints the functions need (DynamoDB gateway; SQS, Secrets Manager and, when a
   * write worker is inside, Step Functions interface endpoints); `false` when the VPC has them.
   */
  readonly createEndpoints: boolean;
}

/** Everything that differs between stages; one object per stage in `configs.ts`. */
/** Token exchange of a stage: the identity provider's token endpoint, its style, and the systems. */
export interface TokenExchangeConfig {
  readonly url: string;
  readonly style: 'rfc8693' | 'entra_obo';
  /** What is asked for each system called with exchange: RFC 8693 audience, scopes. */
  readonly systems: Readonly<Record<string, { audience?: string; scope?: string }>>;
}

export interface StageConfig {
  readonly stage: string;
  /** OIDC issuer whose JWTs the API accepts (API Gateway JWT authorizer). */
  readonly issuerUrl: string;
  /** Expected `aud` of those JWTs. */
  readonly audience: string;
  /** JWKS URL of the issuer, when it is not `<issuerUrl>/.well-known/jwks.json` (e.g. Okta). */
  readonly jwksUrl?: string;
  /**
   * The address agents and senders use, when it is not the API's own (a custom domain, a CloudFront
   * front): named in the MCP metadata and the OpenAPI document, and the URL webhook signatures cover
   * (PUBLIC_BASE_URL). @default the address of each request
   */
  readonly publicBaseUrl?: string;
  /**
   * The console's OIDC client id (CONSOLE_CLIENT_ID): a token issued to it is a person's session,
   * the only one that confirms a write a person must approve. Unset: no token is, and such writes
   * wait until it is set.
   */
  readonly consoleClientId?: string;
  /** How the web console signs people in (its CONSOLE_* settings besides the client id). */
  readonly consoleSignIn: {
    /** The issuer people sign in with, when it is not `issuerUrl`. */
    readonly issuerUrl?: string;
    /** Scopes it asks for, space separated. @default openid */
    readonly scope: string;
    /** Origins its browser code may call besides the API and the issuer (a Cognito domain). */
    readonly connectOrigins: readonly string[];
  };
  /** Claim that carries the caller's roles. @default roles */
  readonly rolesClaim: string;
  /** Base URL of each business system, by system id. */
  readonly systemBaseUrls: Readonly<Record<string, string>>;
  /** Absolute token URLs of OAuth2 systems whose identity provider is another host (`-c <system>TokenUrl`). */
  readonly systemTokenUrls: Readonly<Record<string, string>>;
  /**
   * Systems called on behalf of the user (per-user credentials), with the gateway's OAuth client id
   * at each (`-c <system>OAuthClientId=<id>`): SYSTEM_<ID>_CREDENTIAL=user and _OAUTH_CLIENT_ID.
   */
  readonly systemOAuthClientIds: Readonly<Record<string, string>>;
  /**
   * Systems called with a token the identity provider exchanges for the caller's own
   * (`-c <system>ExchangeAudience=…` and/or `-c <system>ExchangeScope=…`), at `-c tokenExchangeUrl`,
   * in `-c tokenExchangeStyle` (`rfc8693` or `entra_obo`); absent: none.
   */
  readonly tokenExchange?: TokenExchangeConfig;
  /** Database systems reached with IAM database authentication (`-c <system>DbIamUser=<resource id>/<user>`). */
  readonly systemDbIamUsers: Readonly<Record<string, DbIamUser>>;
  readonly logRetentionDays: 7 | 14 | 30 | 90 | 365;
  /** API Gateway default stage throttling. */
  readonly throttle: Throttle;
  /** API Gateway throttling of one tool's route (`POST /tools/<name>`), by tool name. */
  readonly toolThrottle: Readonly<Record<string, Throttle>>;
  /** Limits of the routes without the JWT authorizer, by group. */
  readonly openRoutes: Readonly<Record<OpenRouteGroup, OpenRouteLimits>>;
  /** Tool calls per user, `<requests>/<seconds>` or `off` (USER_RATE_LIMIT). */
  readonly userRateLimit: string;
  /** Who `send_email` may send as and the AI disclosure footer (the MAIL_* function settings). */
  readonly mail: {
    /** The gateway's own mailbox: the default sender, always allowed. */
    readonly sender: string;
    /** Further senders every caller may use. */
    readonly allowedSenders: readonly string[];
    /** Further senders per role. */
    readonly roleSenders: Readonly<Record<string, readonly string[]>>;
    /** Line appended to every message, saying an AI assistant prepared it. */
    readonly aiFooter: string;
  };
  readonly alarms: {
    /** Share of 5xx answers over 5 minutes that raises the alarm. */
    readonly serverErrorRate: number;
    /** p99 latency in ms over 5 minutes that raises the alarm. */
    readonly p99LatencyMs: number;
  };
  /** Unset: no function runs in a VPC. */
  readonly network?: PrivateNetwork;
  /** What happens to the audit table and secrets when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * How long the long-term audit archive keeps every record under S3 Object Lock in compliance
   * mode (`-c auditRetentionYears=7`): nobody, root included, can delete or alter a record sooner.
   */
  readonly auditRetentionYears: number;
  /**
   * Powertools Tracer on every gateway handler (POWERTOOLS_TRACE_ENABLED=true): a handler
   * subsegment, cold-start annotations and errors on the sampled traces, for about 30% more CPU
   * per call (README, Cost model). Lambda's active tracing records sampled invocations either way.
   */
  readonly powertoolsTracer: boolean;
  /**
   * Provisioned write capacity of the audit table and its indexes, auto scaled between `min` and
   * `max` units at 70% use: for a deployment busy enough that steady traffic costs less
   * provisioned than on demand (README, Cost model). Absent: on demand.
   */
  readonly auditWriteCapacity?: { readonly min: number; readonly max: number };
  readonly secretsMaxAgeSeconds: number;
  /**
   * How a confirmed write waits in the queue while its system is down (WRITE_WAIT_WINDOW_SECONDS,
   * WRITE_WAIT_FIRST_DELAY_SECONDS): pauses doubling from the first, then given up after the
   * window. The write queue's maxReceiveCount and retention follow from it.
   */
  readonly writeWait: { readonly windowSeconds: number; readonly firstDelaySeconds: number };
}
