import { breakerOutcomes, type ConnectorBreaker } from '../connectors/breaker-outcomes.ts';
import type { UpstreamCalls } from '../connectors/upstream-calls.ts';
import {
  AppError,
  ConfigurationError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../errors/index.ts';
import { recordSystemCall } from '../observability/metrics.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import type { CallRecorder } from '../resilience/call-metrics.ts';
import { type SqlDriver, SqlDriverError, withRowLimit } from './driver.ts';

/** What one select answers: at most the tool's row limit, and whether more rows matched. */
export interface SqlRows {
  rows: Record<string, unknown>[];
  truncated: boolean;
}

/** A database system as a SQL tool sees it: declared statements in, checked rows out. */
export interface SqlConnector {
  readonly systemId: string;
  select(request: {
    /** The tool's name, for logs and errors. */
    operation: string;
    /** A single SELECT, checked at build time (layers/sql/statement-check.ts). */
    text: string;
    values: readonly unknown[];
    maxRows: number;
  }): Promise<SqlRows>;
}

export interface SqlConnectorOptions {
  system: { id: string; displayName: string };
  /** The instance's driver, opened on first use and kept for the next calls. */
  driver: () => Promise<SqlDriver>;
  /** When the call's deadline passes (epoch ms): the statement timeout ends before it. */
  deadlineAt: number;
  breaker?: ConnectorBreaker;
  metrics?: CallRecorder;
  upstream?: Pick<UpstreamCalls, 'add'>;
  logger: Pick<ToolLogger, 'debug' | 'warn'>;
  now?: () => number;
}

/** Time left to the gateway, after the database gives up, to answer 504 within the deadline. */
const ANSWER_MARGIN_MS = 100;

/**
 * The SQL runtime every SQL tool goes through: the system's breaker, a read-only transaction per
 * call with a statement timeout under the call's deadline, parameters bound by the driver, the
 * row limit fetched plus one (an honest `truncated`), and database failures in the gateway's
 * error envelope. Nothing the database says reaches the agent.
 *
 * @example
 * const db = createSqlConnector({ system, driver, deadlineAt, logger });
 * const { rows, truncated } = await db.select({ operation: 'get_shipment_tracking', text, values: ['SO-100042'], maxRows: 50 });
 */
export function createSqlConnector(options: SqlConnectorOptions): SqlConnector {
  const { system, logger } = options;
  const now = options.now ?? Date.now;
  const name = system.displayName;

  const recordOutcome = breakerOutcomes(options.breaker, system.id, logger);

  return {
    systemId: system.id,
    async select(request) {
      // An open breaker fails fast, before a connection is taken.
      await options.breaker?.beforeCall();
      const timeoutMs = options.deadlineAt - now() - ANSWER_MARGIN_MS;
      if (timeoutMs <= 0) {
        throw new UpstreamTimeoutError(
          `No time was left to query ${name} (${request.operation}). Try again shortly.`,
        );
      }
      const limited = withRowLimit(request.text, request.values.length, request.maxRows);
      const started = performance.now();
      try {
        const driver = await options.driver();
        const rows = await driver.readOnly({
          text: limited.text,
          values: [...request.values, limited.limitValue],
          timeoutMs,
        });
        const durationMs = performance.now() - started;
        options.metrics?.record(true, durationMs);
        recordSystemCall(system.id, { durationMs });
        options.upstream?.add({ system: system.id });
        await recordOutcome(true);
        logger.debug('database call', {
          system: system.id,
          operation: request.operation,
          rows: rows.length,
          durationMs: Math.round(durationMs),
        });
        return {
          rows: rows.slice(0, request.maxRows).map(plainRow),
          truncated: rows.length > request.maxRows,
        };
      } catch (error) {
        const failure = classify(error, name, request.operation);
        const durationMs = performance.now() - started;
        options.upstream?.add({ system: system.id });
        // A refused statement means the database answered; it counts against the system only
        // when it did not (timeout, no connection). A credentials problem is the gateway's.
        if (!(failure instanceof ConfigurationError)) {
          options.metrics?.record(!failure.retryable, durationMs);
          await recordOutcome(!failure.retryable);
        }
        recordSystemCall(system.id, { durationMs, errorCategory: failure.category });
        if (error instanceof SqlDriverError)
          logger.warn('database call failed', {
            system: system.id,
            operation: request.operation,
            failure: error.failure,
            sqlState: error.sqlState,
          });
        throw failure;
      }
    },
  };
}

/** A driver's failure as the envelope says it; the database's own message stays in the logs. */
function classify(error: unknown, name: string, operation: string): AppError {
  if (error instanceof AppError) return error;
  const failure = error instanceof SqlDriverError ? error.failure : 'unavailable';
  switch (failure) {
    case 'timeout':
      return new UpstreamTimeoutError(
        `${name} did not answer within the tool's deadline (${operation}); the statement was cancelled. It may be slow right now: try again shortly, or tell the user the data is temporarily unavailable.`,
        { cause: error },
      );
    case 'auth':
      return new ConfigurationError(
        'upstream_auth_failed',
        `${name} rejected the gateway's credentials. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        {
          operatorDetail: `${name} refused the credentials of its secret even after it was re-read: update the secret`,
          cause: error,
        },
      );
    case 'unavailable':
      return new UpstreamUnavailableError(
        `${name} could not be reached (${operation}). Try again in a few seconds, or tell the user the data is temporarily unavailable.`,
        { cause: error },
      );
    case 'read_only':
      return new UpstreamError(
        'upstream_rejected',
        `${name} refused ${operation}: the statement tried to write, and the gateway only reads databases. This needs an operator; tell the user.`,
        { cause: error },
      );
    default:
      return new UpstreamError(
        'upstream_error',
        `${name} failed on ${operation}. Retrying is unlikely to help right away; tell the user the system has a problem.`,
        { cause: error },
      );
  }
}

/** Rows as JSON: dates as ISO strings, 64-bit integers as numbers when they fit. */
function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value instanceof Date) plain[key] = value.toISOString();
    else if (typeof value === 'bigint')
      plain[key] = Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
    else plain[key] = value;
  }
  return plain;
}
