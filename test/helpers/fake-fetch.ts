/** A recorded outbound request. */
export interface SeenRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
}

export type Reply = (
  request: SeenRequest,
  signal: AbortSignal | undefined,
) => Response | Promise<Response>;

export const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

/**
 * A fetch that answers from `reply` and records every request, for connector unit tests.
 *
 * @example
 * const fake = fakeFetch(() => jsonResponse(200, { ok: true }));
 * createHttpConnector({ ..., fetch: fake.fetch });
 */
export function fakeFetch(reply: Reply) {
  const seen: SeenRequest[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: SeenRequest = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
    };
    seen.push(request);
    return reply(request, init?.signal ?? undefined);
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

/** A reply that never comes, ending only when the request is aborted. */
export const hang: Reply = (_request, signal) =>
  new Promise<Response>((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
