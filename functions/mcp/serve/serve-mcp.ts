import { randomUUID } from 'node:crypto';
import {
  classifyInboundRequest,
  createMcpHandler,
  isJsonContentType,
  type JSONRPCMessage,
  parseJSONRPCMessage,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CallerResolver } from '#layers/auth/jwt-verifier.ts';
import { toEnvelope } from '#layers/errors/envelope.ts';
import { AppError, AuthenticationError } from '#layers/errors/index.ts';
import { errorResponse } from '#layers/http/error-envelope.ts';
import { requestBaseUrl } from '#layers/http-util/api-gateway.ts';
import { isRequestMessage } from '#layers/mcp/exchange-transport.ts';
import {
  createGatewayMcpServer,
  type McpCall,
  type McpDeps,
  McpServerPool,
} from '#layers/mcp/gateway-mcp.ts';
import {
  acceptsJson,
  batchRefused,
  declaredBySession,
  originAllowed,
  parsedBody,
  SDK_ACCEPT,
  sessionIdFor,
} from './request-rules.ts';

export interface ServeMcpDeps extends McpDeps {
  resolver: CallerResolver;
  issuer: string;
  /**
   * Origins (scheme://host:port) browsers may call from besides the gateway's own; others are
   * refused (DNS rebinding).
   */
  allowedOrigins: readonly string[];
  /** Public base URL, when it cannot be read from the request (behind a proxy). */
  publicBaseUrl?: string | undefined;
}

type Result = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

const header = (event: APIGatewayProxyEventV2, name: string) => event.headers?.[name] ?? undefined;

const baseUrl = (event: APIGatewayProxyEventV2, configured: string | undefined): string =>
  requestBaseUrl(event as never, configured);

const rpcError = (statusCode: number, code: number, message: string): Result =>
  jsonResult(statusCode, { jsonrpc: '2.0', error: { code, message }, id: null });

const jsonResult = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** RFC 9728 protected resource metadata: names the authorization server MCP clients should use. */
export function protectedResourceMetadata(deps: Pick<ServeMcpDeps, 'issuer' | 'publicBaseUrl'>) {
  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const base = baseUrl(event, deps.publicBaseUrl);
    return jsonResult(200, {
      resource: `${base}/mcp`,
      authorization_servers: [deps.issuer],
      bearer_methods_supported: ['header'],
      resource_name: 'Toolgate',
      resource_documentation: `${base}/openapi.json`,
    });
  };
}

/**
 * POST /mcp: MCP Streamable HTTP, stateless, JSON responses: protocol 2026-07-28 and the 2025 era
 * (2025-11-25 and older) side by side, on servers kept across requests. Authentication happens here, not
 * in API Gateway, because a refused MCP call must carry `WWW-Authenticate` with the protected
 * resource metadata (MCP authorization).
 */
export function serveMcp(deps: ServeMcpDeps, options: { legacyPool?: McpServerPool } = {}) {
  // Built once per warm function: the 2026-07-28 handler (which asks for a server per exchange,
  // as the SDK requires) and the pool of 2025-era servers.
  const modern = modernHandler(deps);
  const legacy = options.legacyPool ?? new McpServerPool(deps);
  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const requestId =
      header(event, 'x-request-id')?.match(/^[A-Za-z0-9._:-]{8,128}$/)?.[0] ??
      event.requestContext?.requestId ??
      randomUUID();
    const withId = (result: Result): Result => ({
      ...result,
      headers: { ...result.headers, 'x-request-id': requestId },
    });
    const method = event.requestContext.http.method;
    if (method !== 'POST') {
      const refused = rpcError(
        405,
        -32000,
        'Method not allowed: this stateless MCP endpoint takes POST only.',
      );
      return withId({ ...refused, headers: { ...refused.headers, allow: 'POST' } });
    }
    const base = baseUrl(event, deps.publicBaseUrl);
    const origin = header(event, 'origin');
    if (
      origin &&
      !originAllowed(origin, {
        allowed: deps.allowedOrigins,
        publicBaseUrl: deps.publicBaseUrl,
        requestBase: baseUrl(event, undefined),
      })
    ) {
      return withId(
        rpcError(
          403,
          -32000,
          `Origin ${origin} is not allowed. Browser pages may call from the gateway's own address or an origin in MCP_ALLOWED_ORIGINS.`,
        ),
      );
    }
    let caller: Awaited<ReturnType<CallerResolver['fromToken']>>;
    const token = /^Bearer\s+(\S+)$/i.exec(header(event, 'authorization')?.trim() ?? '')?.[1];
    try {
      if (!token)
        throw new AuthenticationError(
          'missing_token',
          'This MCP server needs a bearer token issued for this gateway; see the resource metadata.',
        );
      caller = await deps.resolver.fromToken(token);
    } catch (error) {
      const appError =
        error instanceof AppError
          ? error
          : new AuthenticationError('invalid_token', 'The bearer token cannot be verified.');
      // RFC 6750 §3.1: a request that carries no token gets the challenge without an error code.
      const invalid = token !== undefined && appError instanceof AuthenticationError;
      const challenge = `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource"${invalid ? `, error="invalid_token", error_description="${appError.message.replace(/"/g, "'")}"` : ''}`;
      // The envelope's own headers (Retry-After when the key endpoint is down), with MCP's challenge.
      const { 'WWW-Authenticate': _plain, ...headers } = errorResponse(appError).headers;
      return withId(
        jsonResult(appError.statusCode, toEnvelope(appError), {
          ...headers,
          ...(appError.statusCode === 401 ? { 'www-authenticate': challenge } : {}),
        }),
      );
    }

    if (!acceptsJson(header(event, 'accept'))) {
      return withId(
        rpcError(
          406,
          -32000,
          'Not Acceptable: this endpoint answers application/json only; accept it (or send no Accept).',
        ),
      );
    }
    const body =
      event.body === undefined
        ? ''
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    if (batchRefused(body, header(event, 'mcp-protocol-version'))) {
      return withId(
        rpcError(
          400,
          -32600,
          'Invalid Request: protocol 2025-06-18 and later have no JSON-RPC batches; send one message per request.',
        ),
      );
    }
    const call: McpCall = {
      caller,
      requestId,
      reason: header(event, 'x-agent-reason')?.slice(0, 500),
      conversationId: header(event, 'x-conversation-id')?.slice(0, 200),
      baseUrl: base,
      subjectToken: token,
    };
    // Parsed once here, and handed to the SDK, which would otherwise parse it again per step.
    const message = parsedBody(body);
    if (message === undefined || !isLegacy(event, message)) {
      const headers = new Headers(event.headers as Record<string, string>);
      headers.set('accept', SDK_ACCEPT);
      const request = new Request(`${base}/mcp`, { method: 'POST', headers, body });
      return withId(await serveModern(modern, call, request, message));
    }
    const sessionId = sessionIdFor(message, randomUUID);
    const answer = await serveLegacy(
      legacy,
      { ...call, declared: declaredBySession(header(event, 'mcp-session-id')) },
      event,
      message,
    );
    return withId(
      sessionId && answer.statusCode === 200
        ? { ...answer, headers: { ...answer.headers, 'mcp-session-id': sessionId } }
        : answer,
    );
  };
}

/**
 * Whether a parsed request is 2025-era, by the SDK's own classification (what its
 * `isLegacyRequest` decides from a web `Request`), read from the event's headers.
 */
const isLegacy = (event: APIGatewayProxyEventV2, body: unknown): boolean => {
  const headers = {
    protocolVersionHeader: header(event, 'mcp-protocol-version'),
    mcpMethodHeader: header(event, 'mcp-method'),
    mcpNameHeader: header(event, 'mcp-name'),
  };
  return (
    classifyInboundRequest({
      httpMethod: 'POST',
      ...Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)),
      body,
    }).kind === 'legacy'
  );
};

/** Reads the whole answer, before the exchange's server is closed. */
async function toResult(response: Response): Promise<Result> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { statusCode: response.status, headers, body: await response.text() };
}

/**
 * Protocol 2026-07-28 (a `_meta` envelope on every request, `server/discover`, no `initialize`),
 * served by the SDK's own entry, made once per warm function; 2025-era requests never reach it.
 * The request's caller travels with it as the SDK's pass-through `authInfo`, so the server the
 * entry builds for an exchange serves that caller only.
 */
function modernHandler(deps: ServeMcpDeps) {
  return createMcpHandler(
    ({ authInfo }) => createGatewayMcpServer(deps, callOf(authInfo?.extra?.call)),
    {
      legacy: 'reject',
      onerror: (error) => deps.logger.warn('MCP request refused', { error }),
    },
  );
}

const callOf = (value: unknown): McpCall => {
  if (!value) throw new Error('An MCP exchange reached the server without its caller.');
  return value as McpCall;
};

async function serveModern(
  handler: ReturnType<typeof modernHandler>,
  call: McpCall,
  request: Request,
  message: unknown,
): Promise<Result> {
  return toResult(
    await handler.fetch(request, {
      authInfo: { token: '', clientId: call.caller.clientId ?? '', scopes: [], extra: { call } },
      ...(message === undefined ? {} : { parsedBody: message }),
    }),
  );
}

/** At most this many messages in a 2025-03-26 batch, as the SDK's HTTP transport allows. */
const MAX_BATCH = 100;

/**
 * Protocol 2025-11-25 and older: a server from the warm function's pool, connected once to its
 * own exchange transport, no session id, JSON answers (the SDK's own stateless fallback would
 * stream them as server-sent events). The HTTP rules are the SDK's Streamable HTTP transport's
 * (media type, JSON-RPC shape, batch size, one `initialize` alone, a supported
 * `MCP-Protocol-Version`); the messages then go to the server without a web `Request` or
 * `Response` built around them.
 */
async function serveLegacy(
  pool: McpServerPool,
  call: McpCall,
  event: APIGatewayProxyEventV2,
  body: unknown,
): Promise<Result> {
  if (!isJsonContentType(header(event, 'content-type') ?? null))
    return rpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
  if (Array.isArray(body) && body.length > MAX_BATCH)
    return rpcError(400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH} messages`);
  let messages: JSONRPCMessage[];
  try {
    messages = (Array.isArray(body) ? body : [body]).map((message) => parseJSONRPCMessage(message));
  } catch {
    return rpcError(400, -32700, 'Parse error: Invalid JSON-RPC message');
  }
  const requests = messages.filter(isRequestMessage);
  const initializing = requests.some((request) => request.method === 'initialize');
  if (initializing && messages.length > 1)
    return rpcError(400, -32600, 'Invalid Request: Only one initialization request is allowed');
  if (new Set(requests.map((request) => request.id)).size !== requests.length)
    return rpcError(400, -32600, 'Invalid Request: Request ids in a batch must be unique');
  const version = header(event, 'mcp-protocol-version');
  if (!initializing && version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version))
    return rpcError(
      400,
      -32000,
      `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
    );
  const responses = await pool.serve(call, (transport) => transport.exchange(messages));
  if (requests.length === 0) return { statusCode: 202, headers: {}, body: '' };
  return jsonResult(200, Array.isArray(body) ? responses : responses[0]);
}
