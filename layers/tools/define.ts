import type { z } from 'zod';
import type { Caller } from '../auth/caller.ts';
import type { Connector } from '../connectors/connector.ts';
import { ConfigurationError } from '../errors/index.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import type { SqlConnector } from '../sql/sql-connector.ts';
import type { MailSettings } from '../systems/mail/mail-settings.ts';

export type Risk = 'read' | 'write';

/** The deployment's settings a tool may read, parsed once per cold start. */
export interface ToolSettings {
  mail: MailSettings;
}

/** What the runtime hands a tool: its connectors and the call's identity. Tools never build clients. */
export interface ToolContext {
  /** One connector per system the tool declared, keyed by system id. */
  connectors: Readonly<Record<string, Connector>>;
  /** One SQL connector per database system the tool declared (layers/sql/), keyed by system id. */
  databases?: Readonly<Record<string, SqlConnector>>;
  logger: ToolLogger;
  requestId: string;
  caller: Caller;
  settings: ToolSettings;
  /** Aborted when the call's deadline passes. */
  signal: AbortSignal;
  /** Records that a source was left out, for `meta.degraded`; the tool still answers. */
  reportDegraded(system: string, reason: string): void;
  /**
   * Parts of a composite answer (see `parts`) the caller is not granted: the tool does not fetch
   * them and answers them as null; the runtime names them in `meta.withheld`.
   */
  withheld: ReadonlySet<string>;
}

/**
 * A part of a composite answer that carries another tool's data: the caller gets it only when the
 * policy lets them call that tool, so a composite tool never widens what a role may read.
 */
export interface ToolPart {
  /** The read tool whose grant the part needs, e.g. `get_customer_tickets`. */
  needs: string;
  /** The systems that tool reads (checked against it by the registry test). */
  systems: readonly string[];
}

export type ObjectSchema = z.ZodObject;

/** What every tool declares, whatever its risk tier. */
export interface ToolBase<I extends ObjectSchema = ObjectSchema, O extends z.ZodType = z.ZodType> {
  /** `^[a-z][a-z0-9_]{2,63}$`; stable: agents and policies refer to it. */
  name: string;
  /** Short human title (MCP `title`). */
  title: string;
  /** Tells an agent when to use the tool and what it returns; agents choose tools by it. */
  description: string;
  /** Input schema; unknown fields are rejected. Every field carries a `.describe()`. */
  input: I;
  /** Output schema (for a write tool: the operation's result); every field carries a `.describe()`. */
  output: O;
  /** Ids of the business systems the tool uses; decides its connectors and its IAM grants. */
  systems: readonly string[];
  /** Input field paths whose values never reach the audit trail or logs (dot paths). */
  redact?: readonly string[];
  /** Deadline of a call to this tool in ms. @default the longest timeout of its systems, at least UPSTREAM_TIMEOUT_MS */
  timeoutMs?: number;
  /**
   * Facts beyond the input that argument rules (infra/policy/*.cedar) may name as
   * `context.<fact>`; each is read only when a rule of this tool names it.
   */
  facts?: Readonly<Record<string, PolicyFact<z.output<I>>>>;
}

/**
 * A value an argument rule may test besides the input, e.g. an order's total (from the write's
 * preview) or the customer's contact addresses (from the CRM).
 */
export interface PolicyFact<I = unknown> {
  /** Its Cedar type (`Decimal`: a number, as Cedar's `decimal`, 4 places). */
  type: 'Long' | 'Decimal' | 'String' | 'Boolean' | 'Set<String>';
  /** What it is, for whoever writes a rule (README, schema). */
  description: string;
  /** Reads it; a write's facts are read after its preview, so `preview` is there for them. */
  value(source: { ctx: ToolContext; input: I; preview?: WritePreview }): Promise<unknown> | unknown;
}

/** A read tool answers at once. */
export interface ToolDefinition<
  I extends ObjectSchema = ObjectSchema,
  O extends z.ZodType = z.ZodType,
> extends ToolBase<I, O> {
  risk: 'read';
  /** Reference data: answers are cached for `ttlSeconds` and served stale while the system is down. */
  cache?: { ttlSeconds: number };
  /**
   * A composite tool's parts, by output field: each field is null, and named in `meta.withheld`,
   * for a caller not granted the tool it carries the data of. Every part field must be nullable.
   */
  parts?: Readonly<Record<string, ToolPart>>;
  run(ctx: ToolContext, input: z.output<I>): Promise<z.input<O>>;
}

/** One field a write would change, for the human who confirms it. */
export interface PreviewChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** What a write will do, shown before anything is written. */
export interface WritePreview {
  /** One or two plain sentences a person can confirm or refuse. */
  summary: string;
  /** Structured before/after of what changes. */
  changes: PreviewChange[];
  /** Extra facts the preview read (current state), JSON. */
  details?: Record<string, unknown>;
}

/** What a saga step gets: the tool context plus the operation it belongs to. */
export interface StepContext extends ToolContext {
  operationId: string;
  /** Derived from operation and step; sent upstream as `Idempotency-Key` where supported. */
  idempotencyKey: string;
  /** Results of the steps completed before this one, by step name. */
  results: Readonly<Record<string, unknown>>;
}

/** One step of a write's saga: it touches one system, and knows how to undo itself. */
export interface WriteStep<I = unknown> {
  /** `^[a-z][a-z0-9_]{2,40}$`; becomes a state name and part of idempotency keys. */
  name: string;
  system: string;
  /**
   * Running it again with the same `ctx.idempotencyKey` has no further effect and answers with the
   * first outcome (the system honours `Idempotency-Key`, or the write sets values). Only then is a
   * step whose outcome is unknown (a timeout) retried, and resolved by running it once more before
   * it is compensated; otherwise the operation ends `failed` for a person to check.
   */
  repeatable?: boolean;
  /** Re-checks its preconditions, then writes; returns a JSON result kept for later steps. */
  run(ctx: StepContext, input: I): Promise<unknown>;
  /** Undoes `run` given its result; absent when there is nothing to undo. */
  compensate?(ctx: StepContext, input: I, result: unknown): Promise<void>;
}

/** A write tool: proposes first (preview, confirmation), runs later as a saga of steps. */
export interface WriteToolDefinition<
  I extends ObjectSchema = ObjectSchema,
  O extends z.ZodType = z.ZodType,
> extends ToolBase<I, O> {
  risk: 'write';
  /** Who may confirm: the proposer, or (four eyes) another user with the approver role. */
  confirmBy: 'self' | 'approver';
  /**
   * Where: `person` (the default) only in a person's own session (the console, the `approveUrl`),
   * never with an agent's token; `conversation`: the agent may relay the user's yes and confirm.
   */
  confirmAt?: 'conversation' | 'person';
  /** Reads current state, applies business rules (throw to refuse), and describes the change. */
  preview(ctx: ToolContext, input: z.output<I>): Promise<WritePreview>;
  steps: readonly WriteStep<z.output<I>>[];
  /** The operation's result from the steps' results. */
  result(results: Readonly<Record<string, unknown>>, input: z.output<I>): z.input<O>;
  /**
   * Checked by the write worker before the saga starts; when it throws, the write stays on the
   * queue and is tried again later (e.g. email while the mail system is down).
   */
  readiness?(ctx: ToolContext): Promise<void>;
}

/** Where a write tool is confirmed: a person's session unless it says the conversation may. */
export const confirmAtOf = (
  tool: Pick<WriteToolDefinition, 'confirmAt'>,
): 'conversation' | 'person' => tool.confirmAt ?? 'person';

/** A tool of any schema, as held by the registry. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds tools of heterogeneous schemas
export type AnyReadTool = ToolDefinition<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: the registry holds tools of heterogeneous schemas
export type AnyWriteTool = WriteToolDefinition<any, any>;
export type AnyTool = AnyReadTool | AnyWriteTool;

/**
 * Declares a read tool. Only tags and returns the object: the runtime injects `ctx`.
 *
 * @example
 * export const getOrderStatus = defineReadTool({
 *   name: 'get_order_status', title: 'Get order status', risk: 'read', systems: ['erp'],
 *   description: 'Use when a customer asks where an order is…',
 *   input: z.strictObject({ orderId: z.string().describe('Order number, e.g. SO-100042') }),
 *   output: orderSchema,
 *   run: (ctx, input) => erpOrders(connectorOf(ctx, 'erp')).get(input.orderId),
 * });
 */
export function defineReadTool<I extends ObjectSchema, O extends z.ZodType>(
  definition: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return definition;
}

/**
 * Declares a write tool: preview, who confirms, and its saga steps with their compensations.
 *
 * @example
 * export const createTicket = defineWriteTool({
 *   name: 'create_ticket', risk: 'write', confirmBy: 'self', systems: ['ticketing'], …,
 *   preview: async (ctx, input) => ({ summary: `Open a ticket "${input.subject}"…`, changes: [] }),
 *   steps: [{ name: 'create_ticket', system: 'ticketing', run: …, compensate: … }],
 *   result: (results) => results.create_ticket,
 * });
 */
export function defineWriteTool<I extends ObjectSchema, O extends z.ZodType>(
  definition: WriteToolDefinition<I, O>,
): WriteToolDefinition<I, O> {
  return definition;
}

export const isWriteTool = (tool: AnyTool): tool is AnyWriteTool => tool.risk === 'write';

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
