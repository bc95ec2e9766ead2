import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { localTimings } from './timings.ts';

/** A Lambda handler as API Gateway invokes it (payload format 2.0). */
export type LambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | undefined>;

export interface Route {
  method: string;
  /** API Gateway route path, e.g. `/tools/{name}`. */
  path: string;
  handler: () => Promise<LambdaHandler>;
  functionName: string;
}

/** API Gateway's own payload limit; the handlers enforce the gateway's smaller one. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

/** A path parameter whose percent-encoding does not decode to UTF-8 text. */
class MalformedParameter extends Error {
  constructor(readonly parameter: string) {
    super(`path parameter ${parameter} is malformed`);
  }
}

/** `{name+}`: API Gateway's greedy path variable, the last segment of a route's path. */
const GREEDY = /^\{(\w+)\+\}$/;

const decoded = (name: string, value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new MalformedParameter(name);
  }
};

/**
 * Matches a route, decoding its parameters as API Gateway does; throws MalformedParameter. A
 * greedy variable takes the rest of the path, one or more segments (`a/b` for `/console/a/b`).
 */
function match(route: Route, method: string, path: string): Record<string, string> | undefined {
  if (route.method !== method) return undefined;
  const want = route.path.split('/');
  const got = path.split('/');
  const greedy = GREEDY.exec(want.at(-1) ?? '')?.[1];
  if (greedy ? got.length < want.length : want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index++) {
    const segment = want[index] ?? '';
    const actual = got[index] ?? '';
    if (greedy && index === want.length - 1) {
      const rest = got.slice(index);
      if (!rest.join('/')) return undefined;
      params[greedy] = rest.map((part) => decoded(greedy, part)).join('/');
    } else if (segment.startsWith('{') && segment.endsWith('}')) {
      if (!actual) return undefined;
      const name = segment.slice(1, -1);
      params[name] = decoded(name, actual);
    } else if (segment !== actual) {
      return undefined;
    }
  }
  return params;
}

/**
 * The route a request takes, as API Gateway picks it: the most specific route first (fewest
 * variables; a greedy one last), and a path with a trailing slash as the same path without it
 * when nothing matches it as it is (`GET /console/` → `GET /console`).
 */
function routeFor(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  for (const candidate of path.length > 1 && path.endsWith('/')
    ? [path, path.slice(0, -1)]
    : [path]) {
    for (const route of routes) {
      const params = match(route, method, candidate);
      if (params) return { route, params };
    }
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function buildEvent(
  req: IncomingMessage,
  route: Route,
  params: Record<string, string>,
  body: Buffer,
  url: URL,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined)
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // API Gateway joins repeated parameters with commas; a Map keeps `constructor` or `__proto__`
  // plain names instead of keys of an object's prototype.
  const query = new Map<string, string>();
  for (const [key, value] of url.searchParams)
    query.set(key, query.has(key) ? `${query.get(key)},${value}` : value);
  // API Gateway tells the function the scheme it was called with; locally that is plain HTTP.
  headers['x-forwarded-proto'] ??= 'http';
  const isText = TEXT_TYPES.test(headers['content-type'] ?? 'text/plain');
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(query.size ? { queryStringParameters: Object.fromEntries(query) } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | undefined): void {
  const status = result?.statusCode ?? 200;
  const headers = { ...(result?.headers ?? {}) } as Record<string, string | number | boolean>;
  const body = result?.body
    ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  res.writeHead(status, { ...headers, 'content-length': body.length });
  res.end(body);
}

function gatewayError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: { category?: string; issues?: { path: string; message: string }[] } = {},
): void {
  const body = JSON.stringify({
    error: {
      code,
      category: extra.category ?? 'not_found',
      message,
      retryable: false,
      ...(extra.issues ? { issues: extra.issues } : {}),
    },
  });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-request-id': randomUUID(),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The request target as a URL; undefined when it is not one (`OPTIONS *`, `GET //[`). */
function targetUrl(target: string): URL | undefined {
  try {
    // Prefixed rather than resolved against a base: a base would read `//x` as a host.
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target);
  } catch {
    return undefined;
  }
}

function malformedParameter(res: ServerResponse, parameter: string): void {
  const fix =
    "Percent-encode it as UTF-8 (RFC 3986): '%' and two hex digits per byte, a literal '%' as %25.";
  gatewayError(
    res,
    400,
    'validation_failed',
    `The path parameter "${parameter}" is not valid percent-encoding. ${fix}`,
    { category: 'validation', issues: [{ path: parameter, message: fix }] },
  );
}

/**
 * A local stand-in for API Gateway's HTTP API: matches routes, builds payload 2.0 events, calls
 * the very Lambda handlers that run on AWS, and writes their results back.
 */
export function createApiGateway(
  routes: readonly Route[],
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Server {
  // As API Gateway, the most specific route wins: `POST /tools/get_customer` before
  // `POST /tools/{name}`, and any of them before a greedy `{proxy+}`.
  const weight = (route: Route) =>
    route.path.split('{').length - 1 + (route.path.includes('+}') ? 1000 : 0);
  const bySpecificity = [...routes].sort((a, b) => weight(a) - weight(b));
  return createServer(async (req, res) => {
    const arrived = localTimings.enabled ? performance.now() : 0;
    try {
      if (extra?.(req, res)) return;
      const url = targetUrl(req.url ?? '/');
      if (!url) {
        gatewayError(res, 400, 'validation_failed', 'The request target is not a URL path.', {
          category: 'validation',
        });
        return;
      }
      const method = req.method ?? 'GET';
      let found: { route: Route; params: Record<string, string> } | undefined;
      try {
        found = routeFor(bySpecificity, method, url.pathname);
      } catch (error) {
        if (!(error instanceof MalformedParameter)) throw error;
        malformedParameter(res, error.parameter);
        return;
      }
      if (!found) {
        gatewayError(
          res,
          404,
          'route_not_found',
          `No route ${method} ${url.pathname}. GET /tools lists the tools; see the README for the HTTP API.`,
        );
        return;
      }
      const body = await readBody(req);
      if (body === 'too_large') {
        gatewayError(res, 413, 'payload_too_large', 'The request body is over the API limit.');
        return;
      }
      const handler = await found.route.handler();
      const event = buildEvent(req, found.route, found.params, body, url);
      const invoked = performance.now();
      const result = await handler(event, lambdaContext(found.route.functionName));
      const handlerMs = performance.now() - invoked;
      send(res, result);
      if (arrived) localTimings.recordGateway({ totalMs: performance.now() - arrived, handlerMs });
    } catch (error) {
      console.error('local API gateway: handler failed', error);
      if (!res.headersSent) {
        gatewayError(res, 500, 'internal_error', 'The function failed (see the local mode log).');
      } else res.end();
    }
  });
}

export const portOf = (server: Server): number => (server.address() as AddressInfo).port;
