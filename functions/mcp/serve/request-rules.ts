import Negotiator from 'negotiator';

/**
 * Whether the client takes a JSON answer. This endpoint only ever answers JSON (never a stream),
 * so a missing Accept, `*\/*` or `application/json` alone are enough; Streamable HTTP's rule that
 * clients list both types is for servers that may stream.
 */
export const acceptsJson = (accept: string | undefined): boolean =>
  new Negotiator({ headers: accept === undefined ? {} : { accept } }).mediaType([
    'application/json',
  ]) !== undefined;

/** The Accept the SDK's transports insist on, for a request whose client takes JSON. */
export const SDK_ACCEPT = 'application/json, text/event-stream';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/**
 * Whether a browser page at `origin` may call: an allowed origin, or the gateway's own address,
 * which is `publicBaseUrl` when set and otherwise the request's own address when that is a
 * loopback one. A request's own address is not trusted otherwise: under DNS rebinding the
 * attacker's name is in both the Host and the Origin header.
 *
 * @example
 * originAllowed('http://127.0.0.1:3000', { allowed: [], requestBase: 'http://127.0.0.1:3000' }); // true
 */
export function originAllowed(
  origin: string,
  options: { allowed: readonly string[]; publicBaseUrl?: string | undefined; requestBase: string },
): boolean {
  if (options.allowed.includes(origin)) return true;
  const own = options.publicBaseUrl
    ? originOf(options.publicBaseUrl)
    : (() => {
        const request = originOf(options.requestBase);
        return request && LOOPBACK.has(new URL(request).hostname) ? request : undefined;
      })();
  return own !== undefined && originOf(origin) === own;
}

/**
 * Whether a JSON-RPC batch is refused: protocol 2025-06-18 removed batches. A request without
 * `MCP-Protocol-Version` speaks 2025-03-26 (the Streamable HTTP default), which still has them.
 */
export const batchRefused = (body: string, protocolVersion: string | undefined): boolean =>
  body.trimStart().startsWith('[') &&
  protocolVersion !== undefined &&
  protocolVersion.trim() >= '2025-06-18';

/** The session id's suffix that says the client declared URL-mode elicitation. */
const URL_ELICITATION_MARK = 'eu';
const SESSION_ID = /^[0-9a-f-]{36}\.([a-z]{1,8})$/;

/**
 * The session id answered to a 2025-era `initialize` whose client declared URL-mode elicitation,
 * or undefined when there is nothing to remember. This endpoint keeps no session: the id carries
 * the declaration itself, and the client sends it back on every later request (Streamable HTTP).
 * A client could claim a capability it lacks; it would only get the elicitation instead of the link.
 * `message` is the request body, parsed (undefined when it is not JSON).
 *
 * @example
 * sessionIdFor({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: { elicitation: { url: {} } } } }, randomUUID);
 * // '<uuid>.eu'
 */
export function sessionIdFor(message: unknown, newId: () => string): string | undefined {
  const initialize = message as {
    method?: unknown;
    params?: { capabilities?: { elicitation?: { url?: unknown } } };
  } | null;
  if (initialize?.method !== 'initialize') return undefined;
  const url = initialize.params?.capabilities?.elicitation?.url;
  return url && typeof url === 'object' ? `${newId()}.${URL_ELICITATION_MARK}` : undefined;
}

/** The request body as JSON, or undefined when it is not (the SDK then answers the parse error). */
export function parsedBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** What the client declared at `initialize`, read back from the session id it sends. */
export function declaredBySession(
  sessionId: string | undefined,
): { elicitation?: { url: Record<string, never> } } | undefined {
  const mark = sessionId ? SESSION_ID.exec(sessionId.trim())?.[1] : undefined;
  return mark === URL_ELICITATION_MARK ? { elicitation: { url: {} } } : undefined;
}
