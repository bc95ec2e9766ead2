/**
 * What the SQL runtime needs of a database engine: run one statement in a read-only transaction,
 * under a statement timeout, with its parameters bound by the driver. PostgreSQL comes in two
 * drivers (`pg` for a server, PGlite embedded); SQL Server or Oracle join by implementing this.
 */
export interface SqlDriver {
  /** For logs and errors, e.g. `postgres` or `pglite`. */
  readonly kind: string;
  /**
   * Runs `text` with `values` bound to `$1..$n` in a read-only transaction that is rolled back
   * afterwards; the server cancels it after `timeoutMs`.
   * @throws SqlDriverError for everything the database refuses or cannot do
   */
  readOnly(statement: SqlStatement): Promise<Record<string, unknown>[]>;
  /** How many connections the driver has opened since it was made (one per instance is the goal). */
  connectionsOpened(): number;
  close(): Promise<void>;
}

export interface SqlStatement {
  text: string;
  values: readonly unknown[];
  /** The statement timeout, set on the server for this transaction only. */
  timeoutMs: number;
}

/** The credentials of a database system, as its secret holds them (the `basic` secret shape). */
export interface SqlCredentials {
  username: string;
  password: string;
}

/** Why a statement failed, in the terms the runtime maps to the error envelope. */
export type SqlFailure =
  /** The server cancelled it (statement timeout). */
  | 'timeout'
  /** The server refused the credentials. */
  | 'auth'
  /** No connection could be made or kept. */
  | 'unavailable'
  /** The statement tried to write in the read-only transaction. */
  | 'read_only'
  /** Anything else the database refused (a missing view, a bad cast). */
  | 'rejected';

/** A database failure, classified from the engine's SQLSTATE or connection error. */
export class SqlDriverError extends Error {
  override readonly name = 'SqlDriverError';
  constructor(
    readonly failure: SqlFailure,
    message: string,
    readonly sqlState?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The failure a PostgreSQL SQLSTATE (or a Node connection error code) means: both PostgreSQL
 * drivers classify their errors with it.
 *
 * @example
 * postgresFailure('57014'); // 'timeout'
 */
export function postgresFailure(code: string | undefined): SqlFailure {
  if (code === '57014') return 'timeout';
  // 28P01 invalid_password, 28000 invalid_authorization_specification.
  if (code === '28P01' || code === '28000') return 'auth';
  if (code === '25006') return 'read_only';
  // Class 08 connection exceptions, 57P0x server shutting down, and Node's socket errors.
  if (
    code?.startsWith('08') ||
    code?.startsWith('57P0') ||
    (code !== undefined && /^E[A-Z]+$/.test(code))
  )
    return 'unavailable';
  return 'rejected';
}

/**
 * Wraps a single SELECT so that at most `limit` + 1 rows come back: one more than the tool may
 * answer tells it honestly whether it cut the answer.
 *
 * @example
 * withRowLimit('SELECT * FROM shipments WHERE order_id = $1', 1, 50);
 * // { text: 'SELECT * FROM (SELECT …) AS toolgate_rows LIMIT $2', limitValue: 51 }
 */
export function withRowLimit(
  text: string,
  parameterCount: number,
  limit: number,
): { text: string; limitValue: number } {
  return {
    text: `SELECT * FROM (${text.trim().replace(/;\s*$/, '')}\n) AS toolgate_rows LIMIT $${parameterCount + 1}`,
    limitValue: limit + 1,
  };
}
