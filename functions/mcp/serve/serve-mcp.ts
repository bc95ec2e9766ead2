import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CallerResolver } from '#layers/auth/jwt-verifier.ts';
import { AppError, AuthenticationError } from '#layers/errors/index.ts';
import { toEnvelope } from '#layers/http/error-envelope.ts';
import { createGatewayMcpServer, type McpDeps } from '#layers/mcp/gateway-mcp.ts';

export interface ServeMcpDeps extends McpDeps {
  resolver: CallerResolver;
  issuer: string;
  /** Origins (scheme://host:port) browsers may call from; others are refused (DNS rebinding). */
  allowedOrigins: readonly string[];
  /** Public base URL, when it cannot be read from the request (behind a proxy). */
  publicBaseUrl?: string | undefined;
}

type Result = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

const header = (event: APIGatewayProxyEventV2, name: string) => event.headers?.[name] ?? undefined;

function baseUrl(event: APIGatewayProxyEventV2, configured: string | undefined): string {
  if (configured) return configured.replace(/\/$/, '');
  const proto =
    header(event, 'x-forwarded-proto') ??
    (event.requestContext.domainName.startsWith('127.') ||
    event.requestContext.domainName.startsWith('localhost')
      ? 'http'
      : 'https');
  return `${proto}://${header(event, 'host') ?? event.requestContext.domainName}`;
}

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
 * POST /mcp: MCP Streamable HTTP, stateless (a new server and transport per request, JSON
 * responses). Authentication happens here, not in API Gateway, because a refused MCP call must
 * carry `WWW-Authenticate` with the protected resource metadata (MCP authorization).
 */
export function serveMcp(deps: ServeMcpDeps) {
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
      return withId(
        jsonResult(
          405,
          {
            jsonrpc: '2.0',
            error: {
              code: -32000,
              message: 'Method not allowed: this stateless MCP endpoint takes POST only.',
            },
            id: null,
          },
          { allow: 'POST' },
        ),
      );
    }
    const origin = header(event, 'origin');
    if (origin && !deps.allowedOrigins.includes(origin)) {
      return withId(
        jsonResult(403, {
          jsonrpc: '2.0',
          error: { code: -32000, message: `Origin ${origin} is not allowed.` },
          id: null,
        }),
      );
    }
    const base = baseUrl(event, deps.publicBaseUrl);
    let caller: Awaited<ReturnType<CallerResolver['fromToken']>>;
    try {
      const token = /^Bearer\s+(\S+)$/i.exec(header(event, 'authorization')?.trim() ?? '')?.[1];
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
      const challenge = `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource"${appError instanceof AuthenticationError ? `, error="invalid_token", error_description="${appError.message.replace(/"/g, "'")}"` : ''}`;
      return withId(
        jsonResult(appError.statusCode, toEnvelope(appError), { 'www-authenticate': challenge }),
      );
    }

    const body =
      event.body === undefined
        ? ''
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    const request = new Request(`${base}/mcp`, {
      method: 'POST',
      headers: new Headers(event.headers as Record<string, string>),
      body,
    });
    const server = createGatewayMcpServer(deps, {
      caller,
      requestId,
      reason: header(event, 'x-agent-reason')?.slice(0, 500),
      conversationId: header(event, 'x-conversation-id')?.slice(0, 200),
    });
    // No session id generator: stateless, one transport per request.
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(request);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return withId({ statusCode: response.status, headers, body: await response.text() });
    } finally {
      await transport.close();
      await server.close();
    }
  };
}
