import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineSystem } from '#layers/connectors/system-definition.ts';
import { systems } from '#layers/systems/registry.ts';
import { tools } from '#layers/tools/registry.ts';
import { isSqlTool, sqlTool } from '#layers/tools/sql-tool.ts';
import { checkSqlTools } from '#layers/tools/sql-tool-check.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

const declaration = {
  name: 'get_shipment_count',
  title: 'Get shipment count',
  description:
    'Counts the shipments of an order in the logistics system; use it to tell whether an order left in several parcels.',
  system: 'logistics',
  parameters: [
    {
      name: 'orderId',
      type: 'string',
      pattern: '^SO-\\d{6}$',
      description: 'ERP order number, e.g. SO-100042.',
    },
  ],
  statement: [
    'SELECT count(DISTINCT shipment_id)::integer AS shipments',
    '  FROM shipment_tracking',
    ' WHERE order_id = $1',
  ],
  columns: [{ name: 'shipments', type: 'integer', description: 'How many shipments.' }],
  maxRows: 1,
};

describe('sqlTool', () => {
  it('turns a declaration into a read tool with a strict input and rows plus truncated as output', () => {
    // Act
    const tool = sqlTool(declaration, 'count.json');

    // Assert
    expect(tool).toMatchObject({
      name: 'get_shipment_count',
      risk: 'read',
      systems: ['logistics'],
    });
    expect(tool.input.safeParse({ orderId: 'SO-100042' }).success).toBe(true);
    expect(tool.input.safeParse({ orderId: "SO-1' OR 1=1 --" }).success).toBe(false);
    expect(tool.input.safeParse({ orderId: 'SO-100042', extra: 1 }).success).toBe(false);
    expect(tool.output.safeParse({ rows: [{ shipments: 2 }], truncated: false }).success).toBe(
      true,
    );
    expect(tool.sql.text).toBe(declaration.statement.join('\n'));
  });

  it('refuses a declaration that breaks the schema, naming the file and every field', () => {
    // Act
    const load = () =>
      sqlTool(
        {
          ...declaration,
          name: 'Bad Name',
          maxRows: 0,
          parameters: [
            { name: 'x', type: 'date' },
            {
              name: 'y',
              type: 'string',
              pattern: '([',
              description: 'A parameter with a broken pattern.',
            },
          ],
        },
        'layers/systems/logistics/tools/bad.json',
      );

    // Assert
    expect(load).toThrow(
      /^The SQL tool declaration layers\/systems\/logistics\/tools\/bad\.json is not valid:/,
    );
    expect(load).toThrow(/- name: /);
    expect(load).toThrow(/- parameters\.0\.type: /);
    expect(load).toThrow(/- maxRows: /);
    expect(load).toThrow(/- parameters\.1\.pattern: must be a valid regular expression/);
  });
});

describe('checkSqlTools', () => {
  it('finds nothing wrong with the registered SQL tools', async () => {
    // Act
    const problems = await checkSqlTools(tools, systems, ROOT);

    // Assert
    expect(tools.filter(isSqlTool).map((tool) => tool.name)).toEqual([
      'get_shipment_tracking',
      'get_delivery_exceptions',
    ]);
    expect(problems).toEqual([]);
  });

  it('names the declaration file and its line for a statement that reads a legacy table', async () => {
    // Arrange
    const dir = await mkdtemp(join(tmpdir(), 'sql-tool-'));
    const statement = [
      'SELECT count(*)::integer AS shipments',
      '  FROM "SHPMT_HDR"',
      ' WHERE "ORD_NO" = $1',
    ];
    const text = JSON.stringify({ ...declaration, statement }, null, 2);
    await writeFile(join(dir, 'count.json'), text);
    const tool = sqlTool({ ...declaration, statement }, 'count.json');

    // Act
    const problems = await checkSqlTools([tool], systems, dir);

    // Assert
    const line = text.split('\n').findIndex((row) => row.includes('FROM \\"SHPMT_HDR\\"')) + 1;
    expect(problems).toEqual([
      `count.json:line ${line}: the statement reads "SHPMT_HDR", which is not an allow-listed view of the system (shipment_tracking, delivery_exceptions)`,
    ]);
  });

  it('refuses a SQL tool of a system that is not a database', async () => {
    // Arrange
    const tool = sqlTool({ ...declaration, system: 'crm' }, 'count.json');
    const crm = defineSystem({
      id: 'crm',
      displayName: 'CRM',
      apiShape: 'HubSpot',
      auth: { type: 'bearer' },
      pagination: { style: 'none' },
    });

    // Act
    const problems = await checkSqlTools([tool], [crm], ROOT);

    // Assert
    expect(problems).toEqual([
      'count.json: "system": "crm" is not a database system of layers/systems/registry.ts',
    ]);
  });
});
