import pg from 'pg';
import {
  postgresFailure,
  type SqlCredentials,
  type SqlDriver,
  SqlDriverError,
  type SqlStatement,
} from './driver.ts';

/** The part of `pg.Pool` the driver uses (tests hand in a fake). */
export type PoolLike = Pick<pg.Pool, 'connect' | 'end' | 'on'>;

export interface PostgresDriverOptions {
  /** `postgres://host:5432/database?sslmode=require`, without credentials. */
  url: string;
  /** The system's credentials; `refresh` skips the cache, after the server refused them once. */
  credentials(refresh: boolean): Promise<SqlCredentials>;
  /**
   * IAM database authentication (RDS, Aurora, RDS Proxy): connect as this user with a fresh
   * token per connection, over TLS, instead of the secret's login.
   */
  iam?: { user: string; token(): Promise<string> };
  /** Connections kept per function instance. @default 1 */
  maxConnections?: number;
  /** Makes the pool (tests). @default a `pg.Pool` */
  pool?: (config: pg.PoolConfig) => PoolLike;
}

/**
 * PostgreSQL through `pg`: one pool per function instance, reused across invocations; each
 * statement in its own read-only transaction with a server-side statement timeout, so the server
 * itself cancels a statement that outlives the tool's deadline.
 *
 * @example
 * const driver = createPostgresDriver({ url: 'postgres://db.internal:5432/logistics', credentials });
 * await driver.readOnly({ text: 'SELECT 1 AS one', values: [], timeoutMs: 2000 });
 */
export function createPostgresDriver(options: PostgresDriverOptions): SqlDriver {
  let opened = 0;
  let pool: Promise<PoolLike> | undefined;
  const login = async (refresh: boolean): Promise<pg.PoolConfig> => {
    if (!options.iam) {
      const credentials = await options.credentials(refresh);
      return { user: credentials.username, password: credentials.password };
    }
    // A token lasts 15 minutes: each new connection asks for one.
    return { user: options.iam.user, password: options.iam.token, ssl: true };
  };
  const makePool = (refresh: boolean): Promise<PoolLike> =>
    login(refresh).then((credentials) => {
      const config: pg.PoolConfig = {
        connectionString: options.url,
        ...credentials,
        max: options.maxConnections ?? 1,
        // Lambda freezes an idle instance; a connection the server dropped meanwhile is replaced.
        idleTimeoutMillis: 0,
        connectionTimeoutMillis: 5000,
        allowExitOnIdle: true,
      };
      const made = options.pool ? options.pool(config) : new pg.Pool(config);
      made.on('connect', () => {
        opened++;
      });
      // An idle connection the server closes must not crash the instance.
      made.on('error', () => {});
      return made;
    });

  const once = async (statement: SqlStatement): Promise<Record<string, unknown>[]> => {
    pool ??= makePool(false);
    const client = await (await pool).connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query("SELECT set_config('statement_timeout', $1, true)", [
        String(Math.max(1, Math.floor(statement.timeoutMs))),
      ]);
      const result = await client.query(statement.text, [...statement.values]);
      await client.query('ROLLBACK');
      return result.rows as Record<string, unknown>[];
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => {
        broken = rollback;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };

  return {
    kind: 'postgres',
    async readOnly(statement) {
      try {
        return await once(statement);
      } catch (error) {
        const failure = postgresFailure((error as { code?: string }).code);
        if (failure !== 'auth') throw asDriverError(error);
        // The secret may have been rotated: read it again and try once more.
        const stale = pool;
        pool = makePool(true);
        await stale?.then((old) => old.end()).catch(() => {});
        try {
          return await once(statement);
        } catch (again) {
          throw asDriverError(again);
        }
      }
    },
    connectionsOpened: () => opened,
    async close() {
      await (await pool)?.end();
      pool = undefined;
    },
  };
}

function asDriverError(error: unknown): SqlDriverError {
  if (error instanceof SqlDriverError) return error;
  const code = (error as { code?: string }).code;
  return new SqlDriverError(postgresFailure(code), (error as Error).message, code, {
    cause: error,
  });
}
