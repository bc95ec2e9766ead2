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
