/**
 * The gateway's HTTP API as the console uses it (README "HTTP API", shared DESIGN.md "People in
 * the loop"). Everything in a confirmation but its id, status and times was written by an agent:
 * it is shown as text, never as markup.
 */

export interface Change {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface Confirmation {
  readonly id: string;
  readonly tool: string;
  readonly status: 'pending' | 'confirmed' | 'cancelled' | 'expired';
  readonly summary: string;
  readonly preview: { readonly changes?: readonly Change[]; readonly details?: unknown };
  readonly proposedBy: string;
  readonly reason?: string;
  readonly conversationId?: string;
  readonly expiresAt: string;
  readonly approveUrl?: string;
  readonly operationId?: string;
  readonly createdAt?: string;
  /** Who approved it, once approved. */
  readonly confirmedBy?: string;
  /** Who rejected or withdrew it, and why. */
  readonly cancelledBy?: string;
  readonly cancelReason?: string;
  readonly confirmBy?: 'self' | 'approver';
  readonly confirmAt?: 'conversation' | 'person';
}

export type OperationStatus = 'queued' | 'running' | 'succeeded' | 'rolled_back' | 'failed';

export interface OperationStep {
  readonly name: string;
  /** pending, running, succeeded, failed, compensating, compensated, compensation_failed, outcome_unknown */
  readonly status: string;
  readonly attempts?: number;
  /** Runs of its compensation, when it was undone. */
  readonly compensationAttempts?: number;
}

/** A confirmed write and its saga (`GET /operations`, `GET /operations/{id}`). */
export interface Operation {
  readonly id: string;
  readonly tool?: string;
  readonly status: OperationStatus;
  readonly owner?: string;
  readonly confirmedBy?: string;
  readonly confirmationId?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly steps?: readonly OperationStep[];
  readonly result?: unknown;
  readonly error?: { code?: string; message?: string };
}

/** One call through the gateway, as the audit trail keeps it (`GET /audit`). */
export interface AuditRecord {
  readonly auditId: string;
  readonly requestId: string;
  readonly at: string;
  readonly sub: string;
  readonly roles?: readonly string[];
  readonly clientId?: string;
  readonly tool: string;
  /** The input as recorded: redacted by the gateway. */
  readonly input?: unknown;
  readonly reason?: string;
  readonly conversationId?: string;
  readonly outcome: 'success' | 'error';
  readonly statusCode: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly durationMs: number;
  /** The business systems' own request ids of the calls the tool made. */
  readonly upstream?: readonly {
    system: string;
    /** `service`, `user` (the user's connection) or `exchange` (a token exchanged for the caller's). */
    credential?: 'service' | 'user' | 'exchange';
    requestId?: string;
    status?: number;
  }[];
}

export interface SwitchState {
  readonly enabled: boolean;
  readonly reason?: string;
  readonly changedBy?: string;
  readonly changedAt?: string;
}

/** One minute of a system's calls (`GET /systems`). */
export interface SystemMinute {
  readonly at: string;
  readonly calls: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/** A business system's health and switches (`GET /systems`). */
export interface SystemView {
  readonly id: string;
  readonly name: string;
  readonly breaker: {
    readonly state: 'closed' | 'open' | 'half_open';
    readonly openedAt?: string;
    readonly retryAt?: string;
  };
  readonly switch: SwitchState;
  readonly budget?: { readonly limitPerSecond: number; readonly inUse: number };
  /** The last 15 minutes, oldest first. */
  readonly minutes: readonly SystemMinute[];
  readonly totals: {
    readonly calls: number;
    readonly errors: number;
    readonly errorRate: number;
    readonly p50Ms: number;
    readonly p95Ms: number;
  };
  readonly tools: readonly {
    readonly name: string;
    readonly risk: 'read' | 'write';
    readonly switch: SwitchState;
    readonly cached: boolean;
  }[];
}

/** A webhook delivery as the event log keeps it (`GET /webhooks/events`). */
export interface WebhookEvent {
  readonly id: string;
  readonly source: string;
  readonly type?: string;
  readonly receivedAt: string;
  readonly outcome: 'accepted' | 'duplicate' | 'refused';
  readonly reason?: string;
}

/** A webhook source over the last 24 hours. */
export interface WebhookSource {
  readonly source: string;
  readonly received24h: number;
  readonly duplicates24h: number;
  readonly refused24h: number;
  readonly lastEventAt?: string;
  readonly usualGapSeconds?: number;
  readonly quiet: boolean;
  readonly quietForSeconds?: number;
}

/** One page of a list, and the cursor of the next when there is one. */
/** A person's connection to a system called on their behalf (GET /connections). */
export interface ConnectionView {
  system: string;
  displayName: string;
  status: 'connected' | 'broken' | 'not_connected';
  connectedAt?: string;
  refreshedAt?: string;
  connectUrl: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}

/** The statuses an operation does not leave. */
export const finished: ReadonlySet<OperationStatus> = new Set([
  'succeeded',
  'rolled_back',
  'failed',
]);

/** An answer of the API other than the one asked for, with its error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Api {
  pending(): Promise<Confirmation[]>;
  confirmation(id: string): Promise<Confirmation>;
  approve(id: string): Promise<{ id: string; status: OperationStatus }>;
  reject(id: string, reason: string): Promise<void>;
  operation(id: string): Promise<Operation>;
  /** `query`: a query string made by `apiQueryOf` (query.ts), `''` for none. */
  operations(query: string): Promise<Page<Operation>>;
  audit(query: string): Promise<Page<AuditRecord>>;
  auditRecord(id: string): Promise<AuditRecord>;
  systems(): Promise<SystemView[]>;
  webhookEvents(query: string): Promise<Page<WebhookEvent> & { sources: WebhookSource[] }>;
  setSwitch(
    kind: 'system' | 'tool',
    name: string,
    change: { enabled: boolean; reason: string },
  ): Promise<void>;
  invalidateCache(tool: string): Promise<void>;
  connections(): Promise<ConnectionView[]>;
  /** Starts connecting a system: the system's consent page, to send the browser to. */
  connect(system: string): Promise<{ authorizeUrl: string }>;
  revokeConnection(system: string): Promise<void>;
}

/** A list's answer as a page: its items under `key`, and the cursor when there is more. */
const pageOf = <T>(items: T[] | undefined, cursor: unknown): Page<T> => ({
  items: items ?? [],
  ...(typeof cursor === 'string' && cursor ? { cursor } : {}),
});

/**
 * A client of the API on the console's own origin, with the person's access token. `onSignedOut`
 * runs on a 401 (the token expired or was revoked): the console signs the person in again.
 */
export function createApi(options: {
  accessToken: () => string | undefined;
  onSignedOut: () => void;
}): Api {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.accessToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 401) options.onSignedOut();
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)
        ?.error;
      throw new ApiError(
        response.status,
        typeof error?.code === 'string' ? error.code : `http_${response.status}`,
        typeof error?.message === 'string'
          ? error.message
          : `The gateway answered ${response.status} ${response.statusText}.`,
      );
    }
    return parsed as T;
  }
  const at = (id: string) => encodeURIComponent(id);
  return {
    pending: async () =>
      (await call<{ confirmations: Confirmation[] }>('GET', '/confirmations?status=pending'))
        .confirmations,
    confirmation: async (id) =>
      (await call<{ confirmation: Confirmation }>('GET', `/confirmations/${at(id)}`)).confirmation,
    approve: async (id) =>
      (
        await call<{ operation: { id: string; status: OperationStatus } }>(
          'POST',
          `/confirmations/${at(id)}`,
        )
      ).operation,
    reject: (id, reason) =>
      call<void>('DELETE', `/confirmations/${at(id)}`, reason ? { reason } : undefined),
    operation: async (id) =>
      (await call<{ operation: Operation }>('GET', `/operations/${at(id)}`)).operation,
    operations: async (query) => {
      const answer = await call<{ operations?: Operation[]; cursor?: string }>(
        'GET',
        `/operations${query}`,
      );
      return pageOf(answer.operations, answer.cursor);
    },
    audit: async (query) => {
      const answer = await call<{ records?: AuditRecord[]; cursor?: string }>(
        'GET',
        `/audit${query}`,
      );
      return pageOf(answer.records, answer.cursor);
    },
    auditRecord: async (id) =>
      (await call<{ record: AuditRecord }>('GET', `/audit/${at(id)}`)).record,
    systems: async () => (await call<{ systems?: SystemView[] }>('GET', '/systems')).systems ?? [],
    webhookEvents: async (query) => {
      const answer = await call<{
        events?: WebhookEvent[];
        cursor?: string;
        sources?: WebhookSource[];
      }>('GET', `/webhooks/events${query}`);
      return { ...pageOf(answer.events, answer.cursor), sources: answer.sources ?? [] };
    },
    setSwitch: async (kind, name, change) => {
      await call('PUT', `/admin/switches/${at(kind)}/${at(name)}`, change);
    },
    invalidateCache: async (tool) => {
      await call('POST', `/admin/cache/${at(tool)}/invalidate`);
    },
    connections: async () =>
      (await call<{ connections?: ConnectionView[] }>('GET', '/connections')).connections ?? [],
    connect: (system) => call<{ authorizeUrl: string }>('POST', `/connections/${at(system)}`),
    revokeConnection: async (system) => {
      await call('DELETE', `/connections/${at(system)}`);
    },
  };
}
