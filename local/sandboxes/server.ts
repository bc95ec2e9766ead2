import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { WebhookOutbox, WebhookTarget } from './webhooks.ts';

export interface SandboxRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the form fields of a urlencoded body. */
  body: unknown;
}

export interface Reply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as plain text instead, as some vendors answer (Slack webhooks: `ok`). */
  text?: string;
  headers?: Record<string, string>;
}

export interface SandboxRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with `{param}` segments, e.g. `/api/v2/tickets/{id}.json`. */
  path: string;
  /** Operation name for fault switches, e.g. `tickets.get`. */
  operation: string;
  /** Whether the route needs the system's credentials. @default true */
  authenticated?: boolean;
  handle(request: SandboxRequest): Reply | Promise<Reply>;
}

export interface SandboxDefinition {
  name: string;
  routes: readonly SandboxRoute[];
  /** Returns an error reply when the request's credentials are not accepted. */
  authenticate(headers: IncomingHttpHeaders): Reply | undefined;
  /** The vendor's error body for a status, used for injected errors and unknown routes. */
  errorReply(status: number, message: string): Reply;
  /**
   * Which credential a request carried (`service`, `user:<login>`), kept with each seen call so a
   * test can tell whose credential reached the system; absent: not told.
   */
  credentialOf?(headers: IncomingHttpHeaders): string | undefined;
  /**
   * Runs before the request's credentials are looked at, for a system that verifies tokens
   * asynchronously (the CRM: JWTs of an identity provider it trusts, against its JWKS).
   */
  resolve?(headers: IncomingHttpHeaders): Promise<void>;
  /** Trusts an identity provider's access tokens for this system (`aud` = the system's name). */
  trust?(issuer: TrustedIssuer): void;
  /** Extra `/_sandbox/...` endpoints of this system (no credentials, never faulted). */
  control?(method: string, path: string): Reply | undefined;
  /** Where the routes announce data changes by webhook; absent when the system sends none. */
  webhooks?: WebhookOutbox;
  /**
   * The response header in which the vendor names its own id of each request (HubSpot
   * `X-HubSpot-Correlation-Id`, Zendesk `X-Zendesk-Request-Id`, Graph `request-id`): every
   * answer of a route carries a fresh one, logged with the call.
   */
  requestIdHeader?: string;
}

export const faultsSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  status: z.number().int().min(400).max(599).optional(),
  operation: z.string().min(1).optional(),
  down: z.boolean().optional(),
});
export type Faults = z.output<typeof faultsSchema>;

export interface SeenCall {
  at: string;
  method: string;
  path: string;
  operation: string;
  requestId: string | null;
  /** The sandbox's own id of the request, sent in its `requestIdHeader`. */
  answeredRequestId: string | null;
  status: number;
  /** The credential the request carried, for a system that tells (`credentialOf`). */
  credential?: string;
}

/** An identity provider whose JWT access tokens a sandbox accepts, as a resource server does. */
export interface TrustedIssuer {
  issuer: string;
  jwksUrl: string;
}

export interface RunningSandbox {
  url: string;
  /** Present on a sandbox that can accept an identity provider's tokens (`SandboxDefinition.trust`). */
  trust?(issuer: TrustedIssuer): void;
  close(): Promise<void>;
  faults(): Faults;
  setFaults(faults: Faults): void;
  /**
   * Sends a signed webhook, in the vendor's scheme, to `url` for each later data change (CRM and
   * ticketing); `undefined` stops sending. Throws when the target is invalid, or for a system
   * that sends no webhooks (ERP, mail).
   */
  setWebhooks(target: WebhookTarget | undefined): void;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SEEN = 200;

function compile(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = path
    .split(/(\{[a-zA-Z_]+\})/)
    .map((part) => {
      const param = /^\{([a-zA-Z_]+)\}$/.exec(part);
      if (param?.[1]) {
        names.push(param[1]);
        return '([^/]+?)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { regex: new RegExp(`^${pattern}$`), names };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error('malformed JSON'), { status: 400 });
  }
}

/**
 * Runs a sandbox business system: vendor-shaped routes, its credential check, and the fault
 * switches (`/_sandbox/faults`), call log (`/_sandbox/requests`) and, for a system that sends
 * webhooks, delivery log (`/_sandbox/webhooks`) that need no credentials.
 */
export async function startSandbox(
  definition: SandboxDefinition,
  options: { port?: number; host?: string } = {},
): Promise<RunningSandbox> {
  const routes = definition.routes.map((route) => ({ route, ...compile(route.path) }));
  let faults: Faults = {};
  const seen: SeenCall[] = [];
  /** Calls per operation since start, uncapped: what benches and tests count. */
  const counts = new Map<string, number>();
  // Aborts injected delays on close, so a pending `latencyMs` timer cannot keep the process alive.
  const closing = new AbortController();

  const control = async (req: IncomingMessage, path: string): Promise<Reply | undefined> => {
    if (path === '/_sandbox/health')
      return { status: 200, body: { status: 'ok', system: definition.name } };
    if (path === '/_sandbox/operations')
      return { status: 200, body: { operations: definition.routes.map((r) => r.operation) } };
    if (path === '/_sandbox/requests')
      return { status: 200, body: { requests: seen, counts: Object.fromEntries(counts) } };
    if (path === '/_sandbox/webhooks' && definition.webhooks) {
      if (req.method !== 'GET') return { status: 405, body: { error: 'Use GET' } };
      const { webhooks } = definition;
      return {
        status: 200,
        body: { target: webhooks.targetUrl() ?? null, deliveries: webhooks.attempts() },
      };
    }
    const own = definition.control?.(req.method ?? 'GET', path);
    if (own) return own;
    if (path !== '/_sandbox/faults') return undefined;
    if (req.method === 'GET') return { status: 200, body: faults };
    if (req.method === 'DELETE') {
      faults = {};
      return { status: 200, body: faults };
    }
    if (req.method === 'PUT') {
      const parsed = faultsSchema.safeParse(await readBody(req).catch(() => null));
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: issue.message,
        }));
        return {
          status: 400,
          body: {
            error: `Invalid fault switches: ${issues.map((i) => i.path || '(body)').join(', ')}`,
            issues,
          },
        };
      }
      const operations = new Set(definition.routes.map((route) => route.operation));
      if (parsed.data.operation && !operations.has(parsed.data.operation)) {
        return {
          status: 400,
          body: {
            error: `Unknown operation "${parsed.data.operation}"; GET /_sandbox/operations lists them.`,
          },
        };
      }
      faults = parsed.data;
      return { status: 200, body: faults };
    }
    return { status: 405, body: { error: 'Use GET, PUT or DELETE' } };
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    // Set once a route matched: the vendor's own id of this request, answered in its header.
    let ownId: string | undefined;
    const respond = (reply: Reply) => {
      const body = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
      const type = reply.text === undefined ? 'application/json' : 'text/plain';
      res.writeHead(reply.status, {
        ...(body ? { 'content-type': `${type}; charset=utf-8` } : {}),
        ...(ownId && definition.requestIdHeader ? { [definition.requestIdHeader]: ownId } : {}),
        ...reply.headers,
      });
      res.end(body);
    };
    try {
      const controlReply = url.pathname.startsWith('/_sandbox/')
        ? await control(req, url.pathname)
        : undefined;
      if (controlReply) return respond(controlReply);
      let matched: { route: SandboxRoute; params: Record<string, string> } | undefined;
      for (const { route, regex, names } of routes) {
        // HEAD is a GET without the body, as every HTTP server answers it (Node drops the body).
        const method = req.method === 'HEAD' ? 'GET' : req.method;
        if (route.method !== method) continue;
        const match = regex.exec(url.pathname);
        if (!match) continue;
        const params: Record<string, string> = {};
        let malformed: string | undefined;
        names.forEach((name, index) => {
          try {
            params[name] = decodeURIComponent(match[index + 1] ?? '');
          } catch {
            malformed = name;
          }
        });
        // As the vendors do: a path that does not decode is the client's error, never a 500.
        if (malformed)
          return respond(definition.errorReply(400, `Malformed percent-encoding in ${malformed}`));
        matched = { route, params };
        break;
      }
      if (!matched)
        return respond(definition.errorReply(404, `No route ${req.method} ${url.pathname}`));
      const { route } = matched;
      if (definition.requestIdHeader) ownId = randomUUID();
      const faulted = !faults.operation || faults.operation === route.operation;
      await definition.resolve?.(req.headers);
      const credential = definition.credentialOf?.(req.headers);
      const record = (status: number) => {
        seen.push({
          ...(credential ? { credential } : {}),
          at: new Date().toISOString(),
          method: req.method ?? 'GET',
          path: url.pathname,
          operation: route.operation,
          requestId: (req.headers['x-request-id'] as string | undefined) ?? null,
          answeredRequestId: status === 0 ? null : (ownId ?? null),
          status,
        });
        if (seen.length > MAX_SEEN) seen.shift();
        counts.set(route.operation, (counts.get(route.operation) ?? 0) + 1);
      };
      if (faulted && faults.down) {
        record(0);
        req.socket.destroy();
        return;
      }
      // Read before the injected delay, as a slow server has the request by then: it carries the
      // request out even when the client stopped waiting, so a timeout's outcome is unknown.
      const body = await readBody(req);
      if (faulted && faults.latencyMs)
        await sleep(faults.latencyMs, undefined, { signal: closing.signal });
      if (faulted && faults.errorRate && Math.random() < faults.errorRate) {
        const status = faults.status ?? 503;
        record(status);
        return respond(definition.errorReply(status, `Injected fault (status ${status})`));
      }
      const denied =
        route.authenticated === false ? undefined : definition.authenticate(req.headers);
      if (denied) {
        record(denied.status);
        return respond(denied);
      }
      const reply = await route.handle({
        params: matched.params,
        query: url.searchParams,
        headers: req.headers,
        body,
      });
      record(reply.status);
      respond(reply);
    } catch (error) {
      if (closing.signal.aborted) return;
      const status = (error as { status?: number }).status ?? 500;
      if (!res.headersSent) respond(definition.errorReply(status, (error as Error).message));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address, family } = server.address() as AddressInfo;
  const wildcard = address === '0.0.0.0' || address === '::';
  const host = wildcard ? '127.0.0.1' : family === 'IPv6' ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    ...(definition.trust ? { trust: definition.trust } : {}),
    faults: () => faults,
    setFaults: (next) => {
      faults = faultsSchema.parse(next);
    },
    setWebhooks: (target) => {
      if (definition.webhooks) definition.webhooks.setTarget(target);
      else if (target) throw new Error(`The ${definition.name} sandbox sends no webhooks`);
    },
    close: async () => {
      closing.abort();
      server.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        definition.webhooks?.close(),
      ]);
    },
  };
}

/** Reads a bounded positive integer query parameter. */
export function intParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  max: number,
): number | Reply {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    return { status: 400, body: { message: `${name} must be an integer from 1 to ${max}` } };
  }
  return value;
}

/** Reads an offset-style `after` value (a non-negative integer string); NaN when it is not one. */
export function offsetParam(raw: string | number | null | undefined): number {
  if (raw === null || raw === undefined || raw === '') return 0;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : Number.NaN;
}

/** Opaque cursor for offset pagination. */
export const cursor = {
  encode: (offset: number) => Buffer.from(`o:${offset}`).toString('base64url'),
  decode: (value: string | null): number => {
    if (!value) return 0;
    const match = /^o:(\d+)$/.exec(Buffer.from(value, 'base64url').toString());
    return match?.[1] ? Number(match[1]) : Number.NaN;
  },
};

export const isoOf = (epochMs: number): string => new Date(epochMs).toISOString();

/**
 * `Idempotency-Key` handling as Stripe-style APIs do it: the same key with the same body replays
 * the stored reply (marked with `x-idempotency-lookup: hit`); with a different body it is a 422.
 */
export function idempotencyKeys(mismatch: () => Reply) {
  const stored = new Map<string, { body: string; reply: Reply }>();
  return async (request: SandboxRequest, produce: () => Reply | Promise<Reply>): Promise<Reply> => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) return produce();
    const body = JSON.stringify(request.body ?? null);
    const previous = stored.get(key);
    if (previous) {
      if (previous.body !== body) return mismatch();
      return {
        ...previous.reply,
        headers: { ...previous.reply.headers, 'x-idempotency-lookup': 'hit' },
      };
    }
    const reply = await produce();
    if (reply.status < 500) stored.set(key, { body, reply });
    return reply;
  };
}
