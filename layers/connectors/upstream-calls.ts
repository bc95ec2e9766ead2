/**
 * One HTTP call a tool made to a business system, as its audit record keeps it: the system, the
 * system's own id of the request (from its request-id response header), and the status it
 * answered (absent when it did not answer: timeout, refused connection).
 */
export interface UpstreamCall {
  system: string;
  /**
   * Which credential the call carried: the gateway's own (`service`), the user's connection
   * (`user`), or a token the identity provider exchanged for the caller's own (`exchange`).
   */
  credential?: 'service' | 'user' | 'exchange';
  requestId?: string;
  status?: number;
}

/** The most calls one audit record lists: a tool that pages through more keeps the first ones. */
export const MAX_UPSTREAM_CALLS = 50;
const MAX_ID_LENGTH = 200;

/**
 * Collects the upstream calls of one tool call, for its audit record.
 *
 * @example
 * const upstream = new UpstreamCalls();
 * await runner.run(tool, input, { requestId, caller, upstream });
 * record.upstream = upstream.list();
 */
export class UpstreamCalls {
  readonly #calls: UpstreamCall[] = [];

  add(call: {
    system: string;
    credential?: UpstreamCall['credential'] | undefined;
    requestId?: string | undefined;
    status?: number | undefined;
  }): void {
    if (this.#calls.length >= MAX_UPSTREAM_CALLS) return;
    this.#calls.push({
      system: call.system,
      ...(call.credential ? { credential: call.credential } : {}),
      ...(call.requestId ? { requestId: call.requestId.slice(0, MAX_ID_LENGTH) } : {}),
      ...(call.status === undefined ? {} : { status: call.status }),
    });
  }

  list(): UpstreamCall[] {
    return [...this.#calls];
  }
}

/**
 * The system's own id of a request: the first of its declared response headers that is present.
 *
 * @example
 * upstreamRequestId(response.headers, ['x-hubspot-correlation-id']); // 'c0ffee…'
 */
export function upstreamRequestId(headers: Headers, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headers.get(name)?.trim();
    if (value) return value;
  }
  return undefined;
}
