import type { z } from 'zod';
import {
  AppError,
  ConfigurationError,
  ConnectionRequiredError,
  ExchangeRefusedError,
  NotFoundError,
  UpstreamDataError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../errors/index.ts';
import { parseRetryAfter } from '../http-util/retry-after.ts';
import { recordSystemCall } from '../observability/metrics.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import type { CallRecorder } from '../resilience/call-metrics.ts';
import { fullJitter, type RetryBudget } from '../resilience/retry-budget.ts';
import type { Authenticator } from './authenticator.ts';
import { breakerOutcomes, type ConnectorBreaker } from './breaker-outcomes.ts';
import type { Connector, ConnectorRequest, PageRequest, QueryValue } from './connector.ts';
import { paginationStyle } from './pagination.ts';
import type { SystemDefinition } from './system-definition.ts';
import { type UpstreamCall, type UpstreamCalls, upstreamRequestId } from './upstream-calls.ts';

export interface HttpConnectorOptions {
  system: SystemDefinition;
  baseUrl: string;
  authenticator: Authenticator;
  /** Which credential `authenticator` gives: noted with each call for the audit. @default 'service' */
  credential?: UpstreamCall['credential'];
  /** Per-call timeout in ms. */
  timeoutMs: number;
  /** Sent upstream as `X-Request-Id`, so a call can be followed into the business system. */
  requestId: string;
  /** Aborted when the tool call is abandoned. */
  signal?: AbortSignal;
  /** When the call's deadline passes (epoch ms): no retry or wait goes past it. */
  deadlineAt?: number;
  /** The system's shared outbound rate budget; absent: none. */
  rateBudget?: {
    acquire(deadlineAt: number): Promise<void>;
    observe(status: number, headers: Headers): Promise<void>;
  };
  /** The system's shared circuit breaker; absent: none. */
  breaker?: ConnectorBreaker;
  /** Counts each call to the system (outcome, latency) for GET /systems; absent: not counted. */
  metrics?: CallRecorder;
  /** Retries of transient failures; absent: no retries. */
  retry?: { maxAttempts: number; budget: RetryBudget; baseDelayMs?: number; random?: () => number };
  logger: Pick<ToolLogger, 'debug' | 'warn'>;
  fetch?: typeof globalThis.fetch;
  /** Where each call to the system (retries included, token requests not) is noted for the audit. */
  upstream?: Pick<UpstreamCalls, 'add'>;
}

const USER_AGENT = 'toolgate/0.1';

/**
 * The one HTTP client every connector uses: credentials, per-call timeout, request id, response
 * validation with zod, and error classification into the gateway's error envelope.
 *
 * @example
 * const crm = createHttpConnector({ system, baseUrl, authenticator, requestId, logger });
 * const company = await crm.request({ operation: 'companies.get', path: '/crm/v3/objects/companies/1', response: companySchema });
 */
export function createHttpConnector(options: HttpConnectorOptions): Connector {
  const { system, authenticator, logger } = options;
  const name = system.displayName;
  const timeoutMs = options.timeoutMs;
  const doFetch = options.fetch ?? globalThis.fetch;

  const send = async (
    url: string,
    init: RequestInit,
    operation: string,
    audited = true,
  ): Promise<Response> => {
    const note = audited ? options.upstream : undefined;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers = new Headers(init.headers);
    headers.set('x-request-id', options.requestId);
    headers.set('user-agent', USER_AGENT);
    const started = performance.now();
    try {
      const response = await doFetch(url, { ...init, headers, signal });
      logger.debug('upstream call', {
        system: system.id,
        operation,
        status: response.status,
        durationMs: Math.round(performance.now() - started),
      });
      note?.add({
        system: system.id,
        credential: options.credential ?? 'service',
        status: response.status,
        requestId: upstreamRequestId(response.headers, system.requestIdHeaders),
      });
      return response;
    } catch (error) {
      note?.add({ system: system.id, credential: options.credential ?? 'service' });
      if (timeout.aborted || options.signal?.aborted) {
        throw new UpstreamTimeoutError(
          `${name} did not answer within ${timeoutMs} ms (${operation}). It may be slow right now: try again shortly, or tell the user the data is temporarily unavailable.`,
          { cause: error },
        );
      }
      throw new UpstreamUnavailableError(
        `${name} could not be reached (${operation}). Try again in a few seconds, or tell the user the data is temporarily unavailable.`,
        { cause: error },
      );
    }
  };

  const attempt = async (request: ConnectorRequest<z.ZodType>): Promise<Response> => {
    const url = buildUrl(options.baseUrl, request.path, request.query);
    const authHeaders = await authenticator.headers({
      fetchToken: (tokenUrl, init) => send(tokenUrl, init, `${request.operation}:token`, false),
    });
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...request.headers,
      ...authHeaders,
    };
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    const init: RequestInit = { method: request.method ?? 'GET', headers };
    if (body !== undefined) init.body = body;
    return send(url, init, request.operation);
  };

  /** One try: send, with one credential refresh on 401; non-2xx answers become errors. */
  const observe = async (response: Response) => {
    try {
      await options.rateBudget?.observe(response.status, response.headers);
    } catch (error) {
      logger.warn('rate budget update failed', {
        system: system.id,
        error: (error as Error).message,
      });
    }
  };

  /** One try, measured for the system's metrics from after the rate budget's wait. */
  const tryOnce = async (req: ConnectorRequest<z.ZodType>): Promise<Response> => {
    await options.rateBudget?.acquire(options.deadlineAt ?? Date.now() + timeoutMs);
    const started = performance.now();
    let response: Response;
    try {
      response = await attempt(req);
      await observe(response);
      if (response.status === 401) {
        await response.body?.cancel();
        logger.warn('upstream rejected credentials; refreshing once', {
          system: system.id,
          operation: req.operation,
        });
        authenticator.invalidate();
        response = await attempt(req);
        await observe(response);
      }
    } catch (error) {
      const durationMs = performance.now() - started;
      // No answer (timeout, connection) counts against the system; a gateway misconfiguration or
      // a user who has not connected or whose token the identity provider would not exchange does not.
      if (
        !(
          error instanceof ConfigurationError ||
          error instanceof ConnectionRequiredError ||
          error instanceof ExchangeRefusedError
        )
      )
        options.metrics?.record(false, durationMs);
      recordSystemCall(system.id, {
        durationMs,
        errorCategory: error instanceof AppError ? error.category : 'internal',
      });
      throw error;
    }
    const durationMs = performance.now() - started;
    options.metrics?.record(answeredWell(response.status), durationMs);
    if (!response.ok) {
      await response.body?.cancel();
      const failure = classify(response, req, name);
      recordSystemCall(system.id, { durationMs, errorCategory: failure.category });
      throw failure;
    }
    recordSystemCall(system.id, { durationMs });
    return response;
  };

  const recordOutcome = breakerOutcomes(options.breaker, system.id, logger);

  /** Tries, and retries transient failures of idempotent requests within deadline and budget. */
  const withRetries = async (req: ConnectorRequest<z.ZodType>): Promise<Response> => {
    const retry = options.retry;
    const idempotent =
      req.idempotent ??
      (req.method === undefined ||
        ['GET', 'PUT', 'DELETE'].includes(req.method) ||
        Boolean(req.headers?.['idempotency-key']));
    for (let attemptNumber = 0; ; attemptNumber++) {
      // An open breaker fails fast here, outside the retry loop's catch: it is never retried.
      await options.breaker?.beforeCall();
      try {
        const response = await tryOnce(req);
        retry?.budget.recordSuccess();
        await recordOutcome(true);
        return response;
      } catch (error) {
        const transient = error instanceof AppError && error.retryable;
        // A 4xx means the system answered: only transient failures count against it.
        if (!(error instanceof ConfigurationError)) await recordOutcome(!transient);
        if (!retry || !idempotent || !transient || attemptNumber + 1 >= retry.maxAttempts)
          throw error;
        const backoff = fullJitter(attemptNumber, {
          baseMs: retry.baseDelayMs ?? 100,
          ...(retry.random ? { random: retry.random } : {}),
        });
        const hinted =
          error instanceof UpstreamUnavailableError ? (error.hintedRetryAfterMs ?? 0) : 0;
        const wait = Math.max(backoff, hinted);
        const remaining = (options.deadlineAt ?? Number.POSITIVE_INFINITY) - Date.now();
        // Only retry when the wait and a short call still fit in the deadline.
        if (wait + 50 >= remaining || !retry.budget.tryRetry()) throw error;
        logger.debug('retrying transient failure', {
          system: system.id,
          operation: req.operation,
          attempt: attemptNumber + 1,
          waitMs: wait,
        });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };

  /**
   * The body, read under the same deadline as the call: a body cut off by the deadline is a
   * timeout and one cut off by the connection an outage, never "data the gateway does not
   * understand".
   */
  const readBody = async (response: Response, operation: string): Promise<string> => {
    try {
      return await response.text();
    } catch (error) {
      const kind = (error as Error).name;
      if (options.signal?.aborted || kind === 'TimeoutError' || kind === 'AbortError') {
        throw new UpstreamTimeoutError(
          `${name} did not finish its answer in time (${operation}). It may be slow right now: try again shortly, or tell the user the data is temporarily unavailable.`,
          { cause: error },
        );
      }
      throw new UpstreamUnavailableError(
        `${name}'s answer was cut off (${operation}). Try again in a few seconds, or tell the user the data is temporarily unavailable.`,
        { cause: error },
      );
    }
  };

  const request = async <S extends z.ZodType>(req: ConnectorRequest<S>): Promise<z.output<S>> => {
    const response = await withRetries(req);
    const payload = parseJson(await readBody(response, req.operation));
    const parsed = req.response.safeParse(payload);
    if (!parsed.success) {
      const fields = parsed.error.issues
        .slice(0, 5)
        .map((issue) => issue.path.join('.') || '(root)')
        .join(', ');
      throw new UpstreamDataError(
        `${name} answered ${req.operation} with data the gateway does not understand (fields: ${fields}). This needs an operator; try another tool or tell the user.`,
      );
    }
    return parsed.data;
  };

  return {
    systemId: system.id,
    displayName: name,
    request,
    async paginate<S extends z.ZodType, T>(req: PageRequest<S, T>): Promise<T[]> {
      const style = paginationStyle(system.pagination);
      const pageSize =
        'maxPageSize' in system.pagination
          ? Math.min(req.limit, system.pagination.maxPageSize)
          : req.limit;
      const records: T[] = [];
      let cursor: string | undefined;
      do {
        const page = await request({
          ...req,
          query: { ...req.query, ...style.pageQuery(pageSize, cursor) },
        });
        records.push(...req.items(page));
        cursor = style.nextCursor(page);
      } while (cursor && records.length < req.limit);
      return records.slice(0, req.limit);
    },
  };
}

/**
 * Whether an answer shows the system working: a 4xx about the request (404, 400, 409) does; 5xx,
 * 429 and a refusal of the gateway's credentials do not.
 */
const answeredWell = (status: number): boolean =>
  status < 500 && status !== 429 && status !== 401 && status !== 403;

function buildUrl(
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, QueryValue>> | undefined,
): string {
  const url = new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** Maps a non-2xx answer to the envelope; the upstream body is never passed on. */
function classify(response: Response, req: ConnectorRequest<z.ZodType>, name: string): AppError {
  const status = response.status;
  if (status === 401 || status === 403) {
    return new ConfigurationError(
      'upstream_auth_failed',
      `${name} rejected the gateway's credentials. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
      {
        operatorDetail: `${name} answered ${status} on ${req.operation} even after the secret was re-read: update the system's secret`,
      },
    );
  }
  if (status === 404) {
    return (
      req.notFound?.() ??
      new NotFoundError('upstream_not_found', `${name} has no such record (${req.operation}).`)
    );
  }
  if (status === 429 || status === 502 || status === 503 || status === 504) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new UpstreamUnavailableError(
      `${name} is unavailable right now (status ${status} on ${req.operation}). Try again${retryAfterMs ? ` in ${Math.ceil(retryAfterMs / 1000)} s` : ' shortly'}, or tell the user the data is temporarily unavailable.`,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  }
  if (status >= 500) {
    return new UpstreamError(
      'upstream_error',
      `${name} failed on ${req.operation} (status ${status}). Retrying is unlikely to help right away; tell the user the system has a problem.`,
      { upstreamStatus: status },
    );
  }
  return new UpstreamError(
    'upstream_rejected',
    `${name} rejected ${req.operation} (status ${status}). Check the tool's input; the gateway does not pass the system's own message on.`,
    { upstreamStatus: status },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
