import type { PoolConfig } from 'pg';
import { describe, expect, it } from 'vitest';
import { SqlDriverError } from '#layers/sql/driver.ts';
import { createPostgresDriver, type PoolLike } from '#layers/sql/postgres-driver.ts';

/** A pg pool whose one client records every query and answers `answer` for the statement. */
function fakePool(answer: (text: string) => unknown) {
  const queries: { text: string; values?: unknown[] }[] = [];
  const released: (Error | undefined)[] = [];
  const configs: PoolConfig[] = [];
  let connects = 0;
  const make = (config: PoolConfig): PoolLike => {
    configs.push(config);
    const listeners: Record<string, () => void> = {};
    return {
      on: ((event: string, listener: () => void) => {
        listeners[event] = listener;
      }) as PoolLike['on'],
      end: (async () => {}) as PoolLike['end'],
      connect: (async () => {
        const refusal = answer('connect');
        if (refusal instanceof Error) throw refusal;
        connects++;
        listeners.connect?.();
        return {
          query: async (text: string, values?: unknown[]) => {
            queries.push({ text, ...(values ? { values } : {}) });
            const result = answer(text);
            if (result instanceof Error) throw result;
            return { rows: result ?? [] };
          },
          release: (error?: Error) => released.push(error),
        };
      }) as unknown as PoolLike['connect'],
    };
  };
  return { make, queries, released, configs, connects: () => connects };
}

const pgError = (code: string) => Object.assign(new Error(`pg error ${code}`), { code });

describe('createPostgresDriver', () => {
  it('runs the statement in a read-only transaction with its statement timeout, parameters bound, then rolls back', async () => {
    // Arrange
    const pool = fakePool((text) => (text.startsWith('SELECT *') ? [{ one: 1 }] : []));
    const driver = createPostgresDriver({
      url: 'postgres://db.internal:5432/logistics',
      credentials: async () => ({ username: 'reader', password: 'pw' }),
      pool: pool.make,
    });

    // Act
    const rows = await driver.readOnly({
      text: 'SELECT * FROM v WHERE a = $1',
      values: ['x'],
      timeoutMs: 1900,
    });
    await driver.readOnly({ text: 'SELECT * FROM v WHERE a = $1', values: ['y'], timeoutMs: 1800 });

    // Assert
    expect(rows).toEqual([{ one: 1 }]);
    expect(pool.queries.slice(0, 4)).toEqual([
      { text: 'BEGIN READ ONLY' },
      { text: "SELECT set_config('statement_timeout', $1, true)", values: ['1900'] },
      { text: 'SELECT * FROM v WHERE a = $1', values: ['x'] },
      { text: 'ROLLBACK' },
    ]);
    expect(pool.configs).toEqual([
      expect.objectContaining({ user: 'reader', password: 'pw', max: 1 }),
    ]);
    expect(driver.connectionsOpened()).toBe(2);
    expect(pool.released).toEqual([undefined, undefined]);
  });

  it('connects with an IAM database authentication token over TLS instead of the secret, when configured', async () => {
    // Arrange
    const pool = fakePool(() => []);
    const reads: boolean[] = [];
    const driver = createPostgresDriver({
      url: 'postgres://proxy.proxy-abc.eu-west-1.rds.amazonaws.com:5432/logistics',
      credentials: async (refresh) => {
        reads.push(refresh);
        return { username: 'reader', password: 'pw' };
      },
      iam: { user: 'toolgate_reader', token: async () => 'signed-token' },
      pool: pool.make,
    });

    // Act
    await driver.readOnly({ text: 'SELECT 1', values: [], timeoutMs: 100 });

    // Assert
    const config = pool.configs[0] ?? {};
    expect(config).toMatchObject({ user: 'toolgate_reader', ssl: true });
    expect(typeof config.password).toBe('function');
    expect(await (config.password as () => Promise<string>)()).toBe('signed-token');
    expect(reads).toEqual([]);
  });

  it('classifies a statement the server cancelled as a timeout, and still rolls back', async () => {
    // Arrange
    const pool = fakePool((text) => (text.startsWith('SELECT pg_sleep') ? pgError('57014') : []));
    const driver = createPostgresDriver({
      url: 'postgres://db.internal/logistics',
      credentials: async () => ({ username: 'reader', password: 'pw' }),
      pool: pool.make,
    });

    // Act
    const error = await driver
      .readOnly({ text: 'SELECT pg_sleep(10)', values: [], timeoutMs: 100 })
      .catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(SqlDriverError);
    expect(error).toMatchObject({ failure: 'timeout', sqlState: '57014' });
    expect(pool.queries.at(-1)).toEqual({ text: 'ROLLBACK' });
  });

  it('re-reads the secret once when the server refuses the credentials, then reports auth', async () => {
    // Arrange
    const reads: boolean[] = [];
    const pool = fakePool((text) => (text === 'connect' ? pgError('28P01') : []));
    const driver = createPostgresDriver({
      url: 'postgres://db.internal/logistics',
      credentials: async (refresh) => {
        reads.push(refresh);
        return { username: 'reader', password: refresh ? 'rotated' : 'old' };
      },
      pool: pool.make,
    });

    // Act
    const error = await driver
      .readOnly({ text: 'SELECT 1', values: [], timeoutMs: 100 })
      .catch((caught: unknown) => caught);

    // Assert
    expect(error).toMatchObject({ failure: 'auth', sqlState: '28P01' });
    expect(reads).toEqual([false, true]);
    expect(pool.configs.map((config) => config.password)).toEqual(['old', 'rotated']);
  });

  it('classifies a refused connection as unavailable and a write as read_only', async () => {
    // Arrange
    const refused = fakePool((text) => (text === 'connect' ? pgError('ECONNREFUSED') : []));
    const writing = fakePool((text) => (text.startsWith('SELECT *') ? pgError('25006') : []));
    const driverOf = (pool: ReturnType<typeof fakePool>) =>
      createPostgresDriver({
        url: 'postgres://db.internal/logistics',
        credentials: async () => ({ username: 'reader', password: 'pw' }),
        pool: pool.make,
      });
    const statement = { text: 'SELECT * FROM crafted', values: [], timeoutMs: 100 };

    // Act
    const down = await driverOf(refused)
      .readOnly(statement)
      .catch((caught: unknown) => caught);
    const write = await driverOf(writing)
      .readOnly(statement)
      .catch((caught: unknown) => caught);

    // Assert
    expect(down).toMatchObject({ failure: 'unavailable' });
    expect(write).toMatchObject({ failure: 'read_only', sqlState: '25006' });
  });
});
