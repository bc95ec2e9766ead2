import type { z } from 'zod';
import type { Connector } from '../connectors/connector.ts';
import { ConfigurationError } from '../errors/index.ts';

export type Risk = 'read' | 'write';

/** Who is calling, as established by authentication. */
export interface Caller {
  /** Subject claim of the token. */
  sub: string;
  roles: readonly string[];
}

/** Logger surface a tool may use; the runtime passes Powertools' logger. */
export type ToolLogger = {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
};

/** What the runtime hands a tool: its connectors and the call's identity. Tools never build clients. */
export interface ToolContext {
  /** One connector per system the tool declared, keyed by system id. */
  connectors: Readonly<Record<string, Connector>>;
  logger: ToolLogger;
  requestId: string;
  caller: Caller;
  /** Aborted when the call's deadline passes. */
  signal: AbortSignal;
}

export type ObjectSchema = z.ZodObject;

export interface ToolDefinition<
  I extends ObjectSchema = ObjectSchema,
  O extends z.ZodType = z.ZodType,
> {
  /** `^[a-z][a-z0-9_]{2,63}$`; stable: agents and policies refer to it. */
  name: string;
  /** Short human title (MCP `title`). */
  title: string;
  /** Tells an agent when to use the tool and what it returns; agents choose tools by it. */
  description: string;
  risk: Risk;
  /** Input schema; unknown fields are rejected. Every field carries a `.describe()`. */
  input: I;
  /** Output schema; every field carries a `.describe()`. */
  output: O;
  /** Ids of the business systems the tool uses; decides its connectors and its IAM grants. */
  systems: readonly string[];
  /** Input field paths whose values never reach the audit trail or logs (dot paths). */
  redact?: readonly string[];
  run(ctx: ToolContext, input: z.output<I>): Promise<z.input<O>>;
}

/** A tool of any schema, as held by the registry. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds tools of heterogeneous schemas
export type AnyTool = ToolDefinition<any, any>;

/**
 * Declares a tool. Only tags and returns the object: the runtime injects `ctx`.
 *
 * @example
 * export const getOrderStatus = defineTool({
 *   name: 'get_order_status', title: 'Get order status', risk: 'read', systems: ['erp'],
 *   description: 'Use when a customer asks where an order is…',
 *   input: z.strictObject({ orderId: z.string().describe('Order number, e.g. SO-100042') }),
 *   output: orderSchema,
 *   run: (ctx, input) => erpOrders(ctx.connectors.erp).get(input.orderId),
 * });
 */
export function defineTool<I extends ObjectSchema, O extends z.ZodType>(
  definition: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return definition;
}

/**
 * The connector of one of the tool's declared systems.
 *
 * @example
 * const crm = connectorOf(ctx, 'crm');
 */
export function connectorOf(ctx: ToolContext, systemId: string): Connector {
  const connector = ctx.connectors[systemId];
  if (!connector) {
    throw new ConfigurationError(
      'system_not_declared',
      `The tool uses the system "${systemId}" without declaring it in its systems list.`,
    );
  }
  return connector;
}
