import type { RemovalPolicy } from 'aws-cdk-lib';

/** Everything that differs between stages; one object per stage in `configs.ts`. */
export interface StageConfig {
  readonly stage: string;
  /** OIDC issuer whose JWTs the API accepts (API Gateway JWT authorizer). */
  readonly issuerUrl: string;
  /** Expected `aud` of those JWTs. */
  readonly audience: string;
  /** JWKS URL of the issuer, when it is not `<issuerUrl>/.well-known/jwks.json` (e.g. Okta). */
  readonly jwksUrl?: string;
  /** Claim that carries the caller's roles. @default roles */
  readonly rolesClaim: string;
  /** Base URL of each business system, by system id. */
  readonly systemBaseUrls: Readonly<Record<string, string>>;
  readonly logRetentionDays: 7 | 14 | 30 | 90 | 365;
  /** API Gateway default stage throttling. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** API Gateway throttling of one tool's route (`POST /tools/<name>`), by tool name. */
  readonly toolThrottle: Readonly<
    Record<string, { readonly rateLimit: number; readonly burstLimit: number }>
  >;
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
  /** What happens to the audit table and secrets when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  readonly secretsMaxAgeSeconds: number;
  /**
   * How a confirmed write waits in the queue while its system is down (WRITE_WAIT_WINDOW_SECONDS,
   * WRITE_WAIT_FIRST_DELAY_SECONDS): pauses doubling from the first, then given up after the
   * window. The write queue's maxReceiveCount and retention follow from it.
   */
  readonly writeWait: { readonly windowSeconds: number; readonly firstDelaySeconds: number };
}
