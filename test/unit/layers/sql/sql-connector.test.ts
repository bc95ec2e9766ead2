import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '#layers/errors/index.ts';
import { type SqlDriver, SqlDriverError, type SqlStatement } from '#layers/sql/driver.ts';
import { createPgliteDriver, serveEmbeddedDatabase } from '#layers/sql/pglite-driver.ts';
import { createSqlConnector, type SqlConnectorOptions } from '#layers/sql/sql-connector.ts';

const DATA_DIR = 'memory://sql-connector-test';
const credentials = { username: 'reader', password: 'secret-1' };
const silent = { debug() {}, warn() {} };

/** Fails with the error `select` answers, as an AppError. */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the select to fail');
}

describe('createSqlConnector over PGlite', () => {
  let served: ReturnType<typeof serveEmbeddedDatabase>;
  let driver: SqlDriver;
  const breakerOutcomes: boolean[] = [];
  const connector = (options: Partial<SqlConnectorOptions> = {}) =>
    createSqlConnector({
      system: { id: 'logistics', displayName: 'Logistics database' },
      driver: async () => driver,
      deadlineAt: Date.now() + 30_000,
      breaker: {
        beforeCall: async () => {},
        afterCall: async (success) => {
          breakerOutcomes.push(success);
        },
      },
      logger: silent,
      ...options,
    });

  beforeAll(async () => {
    served = serveEmbeddedDatabase(DATA_DIR, {
      accepts: credentials,
      prepare: async (db) => {
        await db.exec(`
          CREATE TABLE "PARCELS" ("NO" integer, "CUST" char(8));
          INSERT INTO "PARCELS" SELECT n, CASE WHEN n <= 5 THEN 'C-00001 ' ELSE 'C-00002 ' END FROM generate_series(1, 12) n;
          CREATE VIEW parcels AS SELECT "NO" AS parcel_no, rtrim("CUST") AS customer_id FROM "PARCELS";
          CREATE TABLE "LOG" (n integer);
          CREATE FUNCTION note_read() RETURNS integer LANGUAGE sql VOLATILE AS 'INSERT INTO "LOG" VALUES (1) RETURNING n';
          CREATE VIEW crafted AS SELECT note_read() AS n;
        `);
      },
    });
    await served.open();
    driver = createPgliteDriver({ dataDir: DATA_DIR, credentials: async () => credentials });
  });
  afterAll(() => served.close());

  it('answers at most maxRows rows and says truncated only when more matched', async () => {
    // Arrange
    const text = 'SELECT parcel_no FROM parcels WHERE customer_id = $1 ORDER BY parcel_no';
    const db = connector();

    // Act
    const exact = await db.select({ operation: 'op', text, values: ['C-00001'], maxRows: 5 });
    const cut = await db.select({ operation: 'op', text, values: ['C-00002'], maxRows: 5 });

    // Assert
    expect(exact).toEqual({
      rows: [1, 2, 3, 4, 5].map((parcel_no) => ({ parcel_no })),
      truncated: false,
    });
    expect(cut.rows.map((row) => row.parcel_no)).toEqual([6, 7, 8, 9, 10]);
    expect(cut.truncated).toBe(true);
  });

  it('binds parameters as values: an injection attempt matches nothing and changes nothing', async () => {
    // Act
    const answer = await connector().select({
      operation: 'op',
      text: 'SELECT parcel_no FROM parcels WHERE customer_id = $1',
      values: [`C-00001' OR '1'='1`],
      maxRows: 50,
    });

    // Assert
    expect(answer).toEqual({ rows: [], truncated: false });
  });

  it('refuses a write attempted through a crafted view: the transaction is read-only', async () => {
    // Act
    const error = await failure(
      connector().select({
        operation: 'read_crafted',
        text: 'SELECT n FROM crafted',
        values: [],
        maxRows: 5,
      }),
    );
    const log = await connector().select({
      operation: 'count',
      // The check runs on declarations, not here: this reads the table to prove nothing was written.
      text: 'SELECT count(*)::integer AS written FROM "LOG"',
      values: [],
      maxRows: 1,
    });

    // Assert
    expect(error).toMatchObject({ code: 'upstream_rejected', statusCode: 502, retryable: false });
    expect(error.message).toContain('the gateway only reads databases');
    expect(log.rows).toEqual([{ written: 0 }]);
  });

  it('keeps one connection for every call of the instance', async () => {
    // Arrange
    const db = connector();
    const before = driver.connectionsOpened();

    // Act
    for (let index = 0; index < 50; index++)
      await db.select({ operation: 'op', text: 'SELECT 1 AS one', values: [], maxRows: 1 });

    // Assert
    expect(before).toBe(1);
    expect(driver.connectionsOpened()).toBe(1);
  });

  it('answers 502 upstream_auth_failed when the database refuses the credentials, without touching the breaker', async () => {
    // Arrange
    const reads: boolean[] = [];
    const wrong = createPgliteDriver({
      dataDir: DATA_DIR,
      credentials: async (refresh) => {
        reads.push(refresh);
        return { username: 'reader', password: 'old' };
      },
    });
    breakerOutcomes.length = 0;

    // Act
    const error = await failure(
      connector({ driver: async () => wrong }).select({
        operation: 'op',
        text: 'SELECT 1 AS one',
        values: [],
        maxRows: 1,
      }),
    );

    // Assert
    expect(error).toMatchObject({
      code: 'upstream_auth_failed',
      statusCode: 502,
      retryable: false,
    });
    expect(error.message).not.toContain('old');
    expect(reads).toEqual([false, true]);
    expect(breakerOutcomes).toEqual([]);
  });
});

describe('createSqlConnector deadlines', () => {
  /** A database that cancels a statement once its statement timeout passes, as a server does. */
  function slowDatabase(takesMs: number) {
    const seen: SqlStatement[] = [];
    const driver: SqlDriver = {
      kind: 'fake',
      readOnly: async (statement) => {
        seen.push(statement);
        if (takesMs > statement.timeoutMs)
          throw new SqlDriverError(
            'timeout',
            'canceling statement due to statement timeout',
            '57014',
          );
        return [{ one: 1 }];
      },
      connectionsOpened: () => 1,
      close: async () => {},
    };
    return { driver, seen };
  }

  it('sets the statement timeout under the deadline and answers 504 upstream_timeout when the database cancels the statement', async () => {
    // Arrange
    const now = 1_000_000;
    const { driver, seen } = slowDatabase(5000);
    const outcomes: boolean[] = [];
    const db = createSqlConnector({
      system: { id: 'logistics', displayName: 'Logistics database' },
      driver: async () => driver,
      deadlineAt: now + 2000,
      now: () => now,
      breaker: { beforeCall: async () => {}, afterCall: async (ok) => void outcomes.push(ok) },
      logger: silent,
    });

    // Act
    const error = await failure(
      db.select({ operation: 'op', text: 'SELECT 1 AS one', values: [], maxRows: 1 }),
    );

    // Assert
    expect(seen[0]?.timeoutMs).toBe(1900);
    expect(error).toMatchObject({ code: 'upstream_timeout', statusCode: 504, retryable: true });
    expect(error.message).toContain('the statement was cancelled');
    expect(outcomes).toEqual([false]);
  });

  it('answers 504 without calling the database when the deadline has already passed', async () => {
    // Arrange
    const { driver, seen } = slowDatabase(0);
    const db = createSqlConnector({
      system: { id: 'logistics', displayName: 'Logistics database' },
      driver: async () => driver,
      deadlineAt: 1000,
      now: () => 1000,
      logger: silent,
    });

    // Act
    const error = await failure(
      db.select({ operation: 'op', text: 'SELECT 1 AS one', values: [], maxRows: 1 }),
    );

    // Assert
    expect(error.code).toBe('upstream_timeout');
    expect(seen).toEqual([]);
  });
});
