import * as z from 'zod';
import { ConfigurationError, UpstreamDataError } from '../errors/index.ts';
import type { SqlConnector } from '../sql/sql-connector.ts';
import type { AnyReadTool, ToolContext } from './define.ts';

const identifier = /^[a-z][a-zA-Z0-9_]{0,62}$/;

const compiles = (pattern: string): boolean => {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
};

const parameterSchema = z.discriminatedUnion('type', [
  z.strictObject({
    name: z.string().regex(identifier),
    type: z.literal('string'),
    description: z.string().min(20),
    pattern: z.string().refine(compiles, 'must be a valid regular expression').optional(),
    maxLength: z.number().int().positive().optional(),
    enum: z.array(z.string()).min(1).optional(),
  }),
  z.strictObject({
    name: z.string().regex(identifier),
    type: z.literal('integer'),
    description: z.string().min(20),
    minimum: z.number().int().optional(),
    maximum: z.number().int().optional(),
  }),
]);

const columnSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a lower-case column name'),
  type: z.enum(['string', 'integer', 'number', 'boolean']),
  nullable: z.boolean().default(false),
  description: z.string().min(10),
});

/**
 * A SQL tool as its declaration file says it (`layers/systems/<system>/tools/<name>.json`):
 * reviewed and edited like code, checked at build time (layers/sql/statement-check.ts).
 */
export const sqlToolDeclarationSchema = z.strictObject({
  $comment: z.string().optional(),
  name: z.string().regex(/^[a-z][a-z0-9_]{2,63}$/),
  title: z.string().min(3),
  description: z.string().min(40, 'must tell an agent when to use the tool and what it returns'),
  /** The database system (layers/systems/registry.ts) whose allow-listed views it reads. */
  system: z.string().min(1),
  /** In order: `$1` binds the first. */
  parameters: z.array(parameterSchema).max(20),
  /** One SELECT, as one string or as lines (joined with newlines). */
  statement: z.union([z.string().min(1), z.array(z.string()).min(1)]),
  /** The columns of a row, as the statement names them. */
  columns: z.array(columnSchema).min(1),
  /** The most rows an answer holds; `truncated` says when more matched. */
  maxRows: z.number().int().min(1).max(1000),
  /** Deadline of a call in ms. @default the system's timeout */
  timeoutMs: z.number().int().positive().max(30_000).optional(),
});
export type SqlToolDeclaration = z.output<typeof sqlToolDeclarationSchema>;

/** A read tool that runs a declared statement; the build-time check reads these fields. */
export interface SqlReadTool extends AnyReadTool {
  sql: { file: string; system: string; text: string; parameters: readonly string[] };
}

export const isSqlTool = (tool: { name: string }): tool is SqlReadTool => 'sql' in tool;

/**
 * Turns a SQL tool's declaration file into a read tool of the registry: its input schema from the
 * typed parameters, its output (`rows`, `truncated`) from the columns. A declaration that breaks
 * the schema throws, naming the file and the field, when the registry loads.
 *
 * @example
 * import declaration from '../../systems/logistics/tools/get-shipment-tracking.json' with { type: 'json' };
 * export const getShipmentTracking = sqlTool(declaration, 'layers/systems/logistics/tools/get-shipment-tracking.json');
 */
export function sqlTool(declaration: unknown, file: string): SqlReadTool {
  const parsed = sqlToolDeclarationSchema.safeParse(declaration);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `- ${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('\n');
    throw new Error(`The SQL tool declaration ${file} is not valid:\n${problems}`);
  }
  const d = parsed.data;
  const text = Array.isArray(d.statement) ? d.statement.join('\n') : d.statement;
  const row = z.object(
    Object.fromEntries(d.columns.map((column) => [column.name, columnType(column)])),
  );
  const output = z.object({
    rows: z.array(row).describe(`At most ${d.maxRows} rows`),
    truncated: z
      .boolean()
      .describe(`True when more than ${d.maxRows} rows matched and only the first are given`),
  });
  return {
    name: d.name,
    title: d.title,
    description: d.description,
    risk: 'read',
    systems: [d.system],
    input: z.strictObject(Object.fromEntries(d.parameters.map((p) => [p.name, parameterType(p)]))),
    output,
    ...(d.timeoutMs ? { timeoutMs: d.timeoutMs } : {}),
    sql: { file, system: d.system, text, parameters: d.parameters.map((p) => p.name) },
    async run(ctx: ToolContext, input: Record<string, unknown>) {
      const answer = await databaseOf(ctx, d.system).select({
        operation: d.name,
        text,
        values: d.parameters.map((p) => input[p.name] ?? null),
        maxRows: d.maxRows,
      });
      // The rows are the database's answer: checked at the boundary like an HTTP system's.
      const rows = z.array(row).safeParse(answer.rows);
      if (!rows.success) {
        const fields = rows.error.issues
          .slice(0, 5)
          .map((issue) => issue.path.slice(1).join('.') || '(row)')
          .join(', ');
        throw new UpstreamDataError(
          `The database answered ${d.name} with rows that do not match its declared columns (${fields}). This needs an operator; try another tool or tell the user.`,
        );
      }
      return { rows: rows.data, truncated: answer.truncated };
    },
  };
}

function parameterType(parameter: z.output<typeof parameterSchema>): z.ZodType {
  if (parameter.type === 'integer') {
    let schema = z.number().int();
    if (parameter.minimum !== undefined) schema = schema.min(parameter.minimum);
    if (parameter.maximum !== undefined) schema = schema.max(parameter.maximum);
    return schema.describe(parameter.description);
  }
  if (parameter.enum) return z.enum(parameter.enum).describe(parameter.description);
  let schema = z.string().min(1);
  if (parameter.pattern) schema = schema.regex(new RegExp(parameter.pattern));
  if (parameter.maxLength) schema = schema.max(parameter.maxLength);
  return schema.describe(parameter.description);
}

function columnType(column: z.output<typeof columnSchema>): z.ZodType {
  const base =
    column.type === 'integer'
      ? z.number().int()
      : column.type === 'number'
        ? z.number()
        : column.type === 'boolean'
          ? z.boolean()
          : z.string();
  return (column.nullable ? base.nullable() : base).describe(column.description);
}

function databaseOf(ctx: ToolContext, systemId: string): SqlConnector {
  const database = ctx.databases?.[systemId];
  if (!database)
    throw new ConfigurationError(
      'system_not_configured',
      `The database system "${systemId}" is not configured for this tool. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
      {
        operatorDetail: `the system "${systemId}" must be declared with a database in layers/systems/registry.ts`,
      },
    );
  return database;
}
