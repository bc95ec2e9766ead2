import type { PGlite } from '@electric-sql/pglite';
import {
  postgresFailure,
  type SqlCredentials,
  type SqlDriver,
  SqlDriverError,
  type SqlStatement,
} from './driver.ts';

/** An embedded database of this process, by data directory, as the first opener made it. */
interface Embedded {
  /** Opens it on first use: a local mode whose database nobody queries never pays for it. */
  db: () => Promise<PGlite>;
  /** The credentials it accepts, when something (local mode's sandbox) serves it with some. */
  accepts?: SqlCredentials;
}

// One PGlite per data directory and process: two on one directory would corrupt it, and local
// mode runs the sandbox and every function in one process.
const embedded = new Map<string, Embedded>();
let connectionsInProcess = 0;

/** Connections the PGlite drivers of this process opened, all told (`npm run bench`). */
export const pgliteConnectionsOpened = (): number => connectionsInProcess;

async function open(dataDir: string): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create(dataDir);
}

/**
 * Serves an embedded database from `dataDir` to the drivers of this process: it is opened once, on
 * the first statement (or `open()`), and `prepare` runs before any statement (the sandbox creates and seeds its schema there), and a
 * driver whose credentials differ from `accepts` is refused like a server would (SQLSTATE 28P01).
 *
 * @example
 * const served = serveEmbeddedDatabase('.toolgate/logistics', { accepts, prepare: seed });
 * await served.open(); … await served.close();
 */
export function serveEmbeddedDatabase(
  dataDir: string,
  options: { accepts?: SqlCredentials; prepare?: (db: PGlite) => Promise<void> },
): { open(): Promise<PGlite>; close(): Promise<void> } {
  if (embedded.has(dataDir)) throw new Error(`The database in ${dataDir} is already served`);
  let ready: Promise<PGlite> | undefined;
  const db = () => {
    ready ??= open(dataDir).then(async (opened) => {
      await options.prepare?.(opened);
      return opened;
    });
    return ready;
  };
  embedded.set(dataDir, { db, ...(options.accepts ? { accepts: options.accepts } : {}) });
  return {
    open: db,
    async close() {
      embedded.delete(dataDir);
      await (await ready?.catch(() => undefined))?.close();
    },
  };
}

/**
 * PostgreSQL embedded in the process (PGlite, WebAssembly): local mode's default, no server.
 * One connection per function instance: the database itself. Each statement runs in a read-only
 * transaction with a statement timeout, as on a server; PGlite runs a statement on the process's
 * only thread and cannot cancel it, so its statements must stay small (the sandbox's are).
 *
 * @example
 * const driver = createPgliteDriver({ dataDir: '.toolgate/logistics', credentials });
 */
export function createPgliteDriver(options: {
  dataDir: string;
  credentials(refresh: boolean): Promise<SqlCredentials>;
}): SqlDriver {
  let opened = 0;
  const connect = async (): Promise<PGlite> => {
    let served = embedded.get(options.dataDir);
    if (!served) {
      const opening = open(options.dataDir);
      served = { db: () => opening };
      embedded.set(options.dataDir, served);
    }
    // Credentials first, as a server checks them before it runs anything.
    const accepts = served.accepts;
    if (accepts) {
      const match = (given: SqlCredentials) =>
        given.username === accepts.username && given.password === accepts.password;
      // Refused: the secret may have been rotated, so it is read again once, as for a server.
      if (!match(await options.credentials(false))) {
        const given = await options.credentials(true);
        if (!match(given))
          throw new SqlDriverError(
            'auth',
            `password authentication failed for user "${given.username}"`,
            '28P01',
          );
      }
    }
    return served.db();
  };
  let connection: Promise<PGlite> | undefined;
  return {
    kind: 'pglite',
    async readOnly(statement: SqlStatement) {
      connection ??= connect().then((db) => {
        opened++;
        connectionsInProcess++;
        return db;
      });
      let db: PGlite;
      try {
        db = await connection;
      } catch (error) {
        connection = undefined;
        throw error instanceof SqlDriverError
          ? error
          : new SqlDriverError('unavailable', (error as Error).message, undefined, {
              cause: error,
            });
      }
      try {
        return await db.transaction(async (tx) => {
          await tx.exec('SET TRANSACTION READ ONLY');
          await tx.query("SELECT set_config('statement_timeout', $1, true)", [
            String(Math.max(1, Math.floor(statement.timeoutMs))),
          ]);
          const result = await tx.query<Record<string, unknown>>(statement.text, [
            ...statement.values,
          ]);
          await tx.rollback();
          return result.rows;
        });
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new SqlDriverError(postgresFailure(code), (error as Error).message, code, {
          cause: error,
        });
      }
    },
    connectionsOpened: () => opened,
    async close() {
      connection = undefined;
    },
  };
}
