import { describe, expect, it } from 'vitest';
import { checkStatement } from '#layers/sql/statement-check.ts';

const rules = { views: ['shipment_tracking', 'delivery_exceptions'], parameters: ['orderId'] };
const messages = async (text: string, given = rules) =>
  (await checkStatement(text, given)).map((problem) => problem.message);

describe('checkStatement', () => {
  it('accepts one SELECT over an allow-listed view with its parameter bound as $1', async () => {
    // Act
    const problems = await checkStatement(
      `WITH latest AS (SELECT * FROM shipment_tracking WHERE order_id = $1)
       SELECT l.shipment_id, count(*) FROM latest l JOIN public.delivery_exceptions d USING (shipment_id)
       GROUP BY 1 ORDER BY 1`,
      rules,
    );

    // Assert
    expect(problems).toEqual([]);
  });

  it.each([
    ['an UPDATE', `UPDATE shipment_tracking SET carrier = 'x' WHERE order_id = $1`, 'UPDATE'],
    ['a DELETE', 'DELETE FROM shipment_tracking WHERE order_id = $1', 'DELETE'],
    ['a DDL statement', 'DROP VIEW shipment_tracking', 'DROP'],
    ['a SET', `SET statement_timeout = '0'`, 'VARIABLE SET'],
  ])('refuses %s as not a SELECT', async (_, text, kind) => {
    // Act
    const found = await messages(text);

    // Assert
    expect(found).toEqual([expect.stringContaining(`is a ${kind}`)]);
    expect(found[0]).toContain('not a SELECT');
  });

  it('refuses two statements, even two SELECTs', async () => {
    // Act
    const found = await messages(
      'SELECT * FROM shipment_tracking WHERE order_id = $1; SELECT * FROM delivery_exceptions',
    );

    // Assert
    expect(found).toEqual(['holds 2 statements; a SQL tool runs exactly one SELECT']);
  });

  it('refuses a write hidden in a WITH, a SELECT INTO and a row lock', async () => {
    // Act
    const cte = await messages(
      `WITH gone AS (DELETE FROM shipment_tracking WHERE order_id = $1 RETURNING *) SELECT * FROM gone`,
    );
    const into = await messages('SELECT * INTO copy FROM shipment_tracking WHERE order_id = $1');
    const lock = await messages('SELECT * FROM shipment_tracking WHERE order_id = $1 FOR UPDATE');

    // Assert
    expect(cte).toContain('writes (DELETE): SQL tools only read');
    expect(into).toContain('creates a table (SELECT … INTO); SQL tools only read');
    expect(lock).toContain('locks rows (FOR UPDATE/SHARE); SQL tools only read');
  });

  it('refuses a table that is not allow-listed, the legacy tables included, and names the line', async () => {
    // Act
    const problems = await checkStatement(
      'SELECT *\n  FROM shipment_tracking t\n  JOIN "SHPMT_HDR" h ON h."SHP_NO" = t.shipment_id\n WHERE t.order_id = $1',
      rules,
    );

    // Assert
    expect(problems).toEqual([
      {
        line: 3,
        message:
          'reads "SHPMT_HDR", which is not an allow-listed view of the system (shipment_tracking, delivery_exceptions)',
      },
    ]);
  });

  it('refuses a schema-qualified relation outside the allow-list and a function in FROM', async () => {
    // Act
    const catalog = await messages('SELECT usename FROM pg_catalog.pg_user WHERE usename = $1');
    const fn = await messages(`SELECT * FROM generate_series(1, 10) g WHERE g = $1`);

    // Assert
    expect(catalog[0]).toContain('reads "pg_catalog.pg_user"');
    expect(fn).toContain('reads from a function; SQL tools read allow-listed views only');
  });

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the interpolation under test
    ['a template literal', "SELECT * FROM shipment_tracking WHERE order_id = '${orderId}'"],
    ['a mustache', "SELECT * FROM shipment_tracking WHERE order_id = '{{orderId}}'"],
    ['a printf', "SELECT * FROM shipment_tracking WHERE order_id = '%s'"],
    ['a named bind', "SELECT * FROM shipment_tracking WHERE order_id = ':orderId'"],
  ])('refuses input interpolated with %s', async (_, text) => {
    // Act
    const found = await messages(text);

    // Assert
    expect(found.some((message) => message.includes('bind input with $1..$n placeholders'))).toBe(
      true,
    );
  });

  it('refuses a parameter named in the statement where its placeholder belongs', async () => {
    // Act
    const found = await messages('SELECT * FROM shipment_tracking WHERE order_id = orderId');

    // Assert
    expect(found).toContain('names the parameter "orderId" where its placeholder $1 belongs');
  });

  it('refuses a placeholder no parameter binds, and a parameter never used', async () => {
    // Act
    const extra = await messages(
      'SELECT * FROM shipment_tracking WHERE order_id = $1 AND carrier = $2',
    );
    const unused = await messages('SELECT * FROM shipment_tracking', rules);

    // Assert
    expect(extra).toEqual(['uses $2, which no declared parameter binds (1 declared)']);
    expect(unused).toEqual(['never uses $1, the declared parameter "orderId"']);
  });

  it('names the line of a statement that does not parse', async () => {
    // Act
    const problems = await checkStatement(
      'SELECT *\n  FROM shipment_tracking\n WHERE order_id = = $1',
      rules,
    );

    // Assert
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 3 });
    expect(problems[0]?.message).toMatch(/^does not parse as PostgreSQL: syntax error/);
  });
});
