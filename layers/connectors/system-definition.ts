import * as z from 'zod';
import type { SystemSettings } from '../config/system-settings.ts';

/** How a connector authenticates to its business system; the secret's JSON shape follows the mode. */
export const authModeSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('api_key'),
    /** Header that carries the key, for example `X-Api-Key`. */
    header: z.string().min(1),
  }),
  z.object({ type: z.literal('bearer') }),
  z.object({ type: z.literal('basic') }),
  z.object({
    type: z.literal('oauth2_client_credentials'),
    /** Token endpoint, absolute or relative to the system's base URL. */
    tokenPath: z.string().min(1),
    scope: z.string().optional(),
  }),
]);
export type AuthMode = z.infer<typeof authModeSchema>;

/** Secret JSON per auth mode, as stored in Secrets Manager or the local secrets file. */
export const secretShapes = {
  api_key: z.object({ apiKey: z.string().min(1) }),
  bearer: z.object({ token: z.string().min(1) }),
  basic: z.object({ username: z.string().min(1), password: z.string().min(1) }),
  oauth2_client_credentials: z.object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  }),
} as const;

/**
 * How a system signs a user in for calls on that user's behalf: OAuth 2.0 authorization code with
 * PKCE (S256) and refresh tokens. Paths are absolute or relative to the system's base URL.
 */
export const userAuthSchema = z.object({
  type: z.literal('oauth2_authorization_code'),
  /** Where the user consents, e.g. `/oauth/authorize` (HubSpot: `https://app.hubspot.com/oauth/authorize`). */
  authorizePath: z.string().min(1),
  /** Token endpoint for the `authorization_code` and `refresh_token` grants. */
  tokenPath: z.string().min(1),
  /** RFC 7009 revocation endpoint; absent: a revoked connection is only forgotten by the gateway. */
  revokePath: z.string().min(1).optional(),
  /** Scopes asked for, space separated. */
  scope: z.string().optional(),
});
export type UserAuth = z.infer<typeof userAuthSchema>;

/**
 * Which credential a call to the system carries: the gateway's own (`service`, in the secret), the
 * calling user's (`user`: on behalf of the user, after they connected; needs `userAuth`), or one
 * the identity provider exchanged for the caller's own token (`exchange`: no connect step).
 */
export const credentialModeSchema = z.enum(['service', 'user', 'exchange']);
export type CredentialMode = z.infer<typeof credentialModeSchema>;

export const paginationSchema = z.discriminatedUnion('style', [
  /** HubSpot: `?after=` in, `paging.next.after` out. */
  z.object({ style: z.literal('hubspot_after'), maxPageSize: z.number().int().positive() }),
  /** Cursor in, `nextCursor` out. */
  z.object({ style: z.literal('next_cursor'), maxPageSize: z.number().int().positive() }),
  /** Zendesk cursor pagination: `page[size]`, `page[after]`, `meta.has_more`. */
  z.object({ style: z.literal('zendesk_cursor'), maxPageSize: z.number().int().positive() }),
  /** The system's tools read no lists. */
  z.object({ style: z.literal('none') }),
]);
export type Pagination = z.infer<typeof paginationSchema>;

export const systemDefinitionSchema = z
  .object({
    /** Short stable id, used in tool declarations, env names and secret names. */
    id: z.string().regex(/^[a-z][a-z0-9]{1,30}$/),
    displayName: z.string().min(1),
    /** What kind of vendor API this speaks, for humans. */
    apiShape: z.string().min(1),
    auth: authModeSchema,
    /**
     * The credential calls carry unless the deployment says otherwise (`SYSTEM_<ID>_CREDENTIAL`).
     * @default 'service'
     */
    credential: credentialModeSchema.optional(),
    /** How a user connects, for calls on their behalf; required when any deployment may use `user`. */
    userAuth: userAuthSchema.optional(),
    /** Per-call timeout in ms. @default UPSTREAM_TIMEOUT_MS (5000) */
    timeoutMs: z.number().int().positive().max(30_000).optional(),
    pagination: paginationSchema,
    /** The system's own rate limit, shared by every gateway instance, e.g. 100 requests per 10 s. */
    rateLimit: z
      .object({ requests: z.number().int().positive(), perSeconds: z.number().positive() })
      .optional(),
    /** When the system's shared circuit breaker opens; unset fields keep the defaults (50% of 10 calls in 30 s). */
    breaker: z
      .object({
        failureRate: z.number().gt(0).max(1).optional(),
        minimumCalls: z.number().int().positive().optional(),
        windowSeconds: z.number().positive().optional(),
      })
      .optional(),
    /** Tries per call for transient failures (network, timeout, 429, 502-504), within the deadline. */
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(10).default(3),
        baseDelayMs: z.number().int().min(1).max(5000).default(100),
      })
      .default({ maxAttempts: 3, baseDelayMs: 100 }),
    /**
     * Response headers that carry the system's own id of a request, first present wins: the audit
     * record keeps it, so a call can be found in the system's logs.
     */
    requestIdHeaders: z
      .array(z.string().regex(/^[a-z0-9-]+$/, 'must be a lower-case header name'))
      .min(1)
      .default(['x-request-id', 'x-amzn-requestid', 'request-id', 'x-correlation-id']),
    /**
     * A database instead of an HTTP API (layers/sql/): its tools are declared SELECTs over these
     * views only, run read-only. The base URL is the database's (`postgres://…`, `pglite:///…`)
     * and the secret holds `username` and `password` (auth `basic`).
     */
    database: z
      .object({
        engine: z.literal('postgres'),
        views: z
          .array(
            z
              .string()
              .regex(/^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$/, 'must be a lower-case view name'),
          )
          .min(1),
      })
      .optional(),
  })
  .refine((system) => system.credential !== 'user' || system.userAuth, {
    message: 'credential "user" needs userAuth: how a user connects',
    path: ['userAuth'],
  });
export type SystemDefinition = z.output<typeof systemDefinitionSchema>;
export type SystemDeclaration = z.input<typeof systemDefinitionSchema>;

/**
 * Declares a business system. Validated at load, so a bad declaration fails fast at start or synth.
 *
 * @example
 * export const crm = defineSystem({ id: 'crm', displayName: 'CRM', apiShape: 'HubSpot CRM v3',
 *   auth: { type: 'bearer' }, pagination: { style: 'hubspot_after', maxPageSize: 100 } });
 */
export function defineSystem(declaration: SystemDeclaration): SystemDefinition {
  return systemDefinitionSchema.parse(declaration);
}

/**
 * The outbound budget a system runs under: the deployment's `SYSTEM_<ID>_RATE_LIMIT` if set
 * (`off`: none), else the system's own.
 *
 * @example
 * effectiveRateLimit(crm, settings.get('crm')); // { requests: 100, perSeconds: 10 }
 */
export function effectiveRateLimit(
  system: SystemDefinition,
  configured: SystemSettings | undefined,
): { requests: number; perSeconds: number } | undefined {
  if (configured?.rateLimit === 'off') return undefined;
  return configured?.rateLimit ?? system.rateLimit;
}

/**
 * The credential a system's calls carry: the deployment's `SYSTEM_<ID>_CREDENTIAL` if set, else
 * the system's own.
 *
 * @example
 * effectiveCredential(crm, settings.get('crm')); // 'user'
 */
export function effectiveCredential(
  system: SystemDefinition,
  configured: SystemSettings | undefined,
): CredentialMode {
  return configured?.credential ?? system.credential ?? 'service';
}
