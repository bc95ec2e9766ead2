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

export interface Operation {
  readonly id: string;
  readonly tool?: string;
  readonly status: OperationStatus;
  readonly steps?: readonly { name: string; status: string; attempts?: number }[];
  readonly error?: { code?: string; message?: string };
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
}

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
  };
}
