import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerContext,
  type Tool,
  UrlElicitationRequiredError,
} from '@modelcontextprotocol/server';
import type { CallEffect } from '../audit/audit-policy.ts';
import { redact } from '../audit/redact.ts';
import type { Caller } from '../auth/caller.ts';
import { isAllowed } from '../auth/policy.ts';
import { describeToolFor, fieldRulesOf } from '../core/field-rules.ts';
import {
  callTool,
  type ToolCallDeps,
  ToolNotGrantedError,
  UnknownToolError,
} from '../core/tool-call.ts';
import { invalidInput } from '../core/validate-input.ts';
import { errorSchema, toEnvelope } from '../errors/envelope.ts';
import {
  AppError,
  ConnectionRequiredError,
  PersonConfirmationRequiredError,
} from '../errors/index.ts';
import { logFailure } from '../observability/log-failure.ts';
import { type AnyTool, isWriteTool } from '../tools/define.ts';
import { jsonSchemaOf } from '../tools/descriptor.ts';
import type { ToolResult } from '../tools/tool-runner.ts';
import { cancelWrite, confirmWrite, type DecideDeps, readOperation } from '../writes/decisions.ts';
import { ExchangeTransport } from './exchange-transport.ts';
import {
  confirmationOutput,
  type MetaToolName,
  metaToolNamed,
  metaToolSchemas,
  metaTools,
} from './meta-tools.ts';
import { searchTools } from './tool-search.ts';

/** The tool-call core's dependencies, and what MCP adds: the write helpers and the listing. */
export interface McpDeps extends ToolCallDeps {
  decisions: DecideDeps;
  /** `all`: every permitted tool; `search`: only search_tools, the pinned tools and the write helpers. */
  listing: 'all' | 'search';
  pinned: readonly string[];
  version: string;
}

export interface McpCall {
  caller: Caller;
  requestId: string;
  reason?: string | undefined;
  conversationId?: string | undefined;
  /** The gateway's public base URL, for `approveUrl`. */
  baseUrl: string;
  /** The caller's bearer token, for a system called with token exchange. */
  subjectToken?: string | undefined;
  /**
   * What a 2025-era client declared at `initialize`, carried by its session id (this server keeps
   * no session). 2026-07-28 clients declare their capabilities on every request instead.
   */
  declared?: ClientCapabilities | undefined;
}

/** The key of the approval in a 2026-07-28 `input_required` result and the client's retry. */
const APPROVAL_INPUT = 'approval';
/** The input request key of a connection the user must make first (per-user credentials). */
const CONNECT_INPUT = 'connection';

const confirmationSchema = jsonSchemaOf(confirmationOutput, 'output');

/**
 * What a call of the tool does, not what the write it may propose will do: a write tool only
 * proposes (nothing changes until `confirm_operation`, which carries the destructive hint). Both
 * read the business systems, so both are open-world.
 */
const annotationsOf = (tool: AnyTool) =>
  tool.risk === 'read'
    ? { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }
    : { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };

/**
 * An output schema that also admits the error envelope of an `isError` result: SDK clients that
 * check structured content against the output schema even for errors (TypeScript SDK 1.x) would
 * otherwise turn a tool error the agent can act on into a schema failure.
 */
const orError = (schema: Record<string, unknown>): Tool['outputSchema'] => ({
  type: 'object',
  anyOf: [schema, errorSchema],
});

const text = (value: unknown) => JSON.stringify(value);

/** A tool error: the REST error envelope as structured content, and as text for older clients. */
function errorResult(error: AppError): CallToolResult {
  const issues = error.issues
    ?.map((issue) => `- ${issue.path || '(input)'}: ${issue.message}`)
    .join('\n');
  return {
    isError: true,
    content: [
      { type: 'text', text: `${error.code}: ${error.message}${issues ? `\n${issues}` : ''}` },
    ],
    structuredContent: { ...toEnvelope(error) },
  };
}

const unknownTool = (name: string) =>
  new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `Unknown tool: ${name}. Call tools/list or search_tools to see the tools you may use.`,
  );

/**
 * The gateway as an MCP server (stateless Streamable HTTP): the same registry, policy,
 * validation, audit and write flow as the REST API. `call` is the request it serves, or a
 * function giving the request it serves now, for a server kept across requests
 * (`McpServerPool`).
 */
export function createGatewayMcpServer(deps: McpDeps, call: McpCall | (() => McpCall)): Server {
  const now = typeof call === 'function' ? call : () => call;
  const server = new Server(
    { name: 'toolgate', title: 'Toolgate', version: deps.version },
    { capabilities: { tools: {} } },
  );
  const permitted = () =>
    deps.registry.all.filter((tool) => isAllowed(deps.policy, now().caller, tool));
  /** The descriptor as this caller receives the tool: without the fields their roles do not see. */
  const describeTool = (tool: AnyTool) =>
    // The policy's rules now: a server kept across requests follows a policy change.
    describeToolFor(tool, fieldRulesOf(deps.policy).planFor(tool, now().caller));

  const listed = (): Tool[] => {
    const tools = permitted().filter(
      (tool) => deps.listing === 'all' || deps.pinned.includes(tool.name),
    );
    const gatewayTools: Tool[] = tools.map((tool) => {
      const descriptor = describeTool(tool);
      return {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: descriptor.inputSchema as Tool['inputSchema'],
        outputSchema: orError(isWriteTool(tool) ? confirmationSchema : descriptor.outputSchema),
        annotations: { title: tool.title, ...annotationsOf(tool) },
      };
    });
    const helpers = (Object.keys(metaTools) as MetaToolName[])
      .filter(
        (name) => name !== 'search_tools' || deps.listing === 'search' || permitted().length > 0,
      )
      .map((name) => ({
        name,
        title: metaTools[name].title,
        description: metaTools[name].description,
        inputSchema: metaToolSchemas[name].inputSchema as Tool['inputSchema'],
        outputSchema: orError(metaToolSchemas[name].outputSchema),
        annotations: { title: metaTools[name].title, ...metaTools[name].annotations },
      }));
    return [...gatewayTools, ...helpers];
  };

  /** Records the call; answers the auditor's refusal when a success cannot stand unaudited. */
  const audit = (
    tool: string,
    input: unknown,
    redactPaths: readonly string[],
    outcome: { status: number; code?: string; message?: string },
    started: number,
    effect: CallEffect,
  ) => {
    const call = now();
    return deps.auditor.record(
      {
        requestId: call.requestId,
        at: new Date(),
        sub: call.caller.sub,
        roles: call.caller.roles,
        ...(call.caller.clientId ? { clientId: call.caller.clientId.slice(0, 200) } : {}),
        tool: tool.slice(0, 128),
        input: redact(input, redactPaths),
        ...(call.reason ? { reason: call.reason } : {}),
        ...(call.conversationId ? { conversationId: call.conversationId } : {}),
        outcome: outcome.status < 400 ? 'success' : 'error',
        statusCode: outcome.status,
        ...(outcome.code ? { errorCode: outcome.code } : {}),
        ...(outcome.message ? { errorMessage: outcome.message } : {}),
        durationMs: Math.round(performance.now() - started),
      },
      effect,
    );
  };

  const runMeta = async (name: MetaToolName, args: unknown): Promise<unknown> => {
    const meta = metaTools[name];
    const parsed = meta.input.safeParse(args ?? {}, { reportInput: true });
    if (!parsed.success) throw invalidInput(name, parsed.error);
    const input = parsed.data as Record<string, unknown>;
    switch (name) {
      case 'search_tools':
        return {
          tools: searchTools(
            permitted().map(describeTool),
            String(input.query),
            Number(input.limit),
          ),
        };
      case 'confirm_operation': {
        const { policyVersion: _version, ...operation } = await confirmWrite(
          deps.decisions,
          now().caller,
          String(input.confirmationId),
          now().baseUrl,
        );
        return { operation };
      }
      case 'cancel_confirmation':
        await cancelWrite(deps.decisions, now().caller, String(input.confirmationId));
        return { cancelled: true };
      case 'get_operation_status':
        return {
          operation: await readOperation(deps.decisions, now().caller, String(input.operationId)),
        };
    }
  };

  /** A gateway tool goes through the same core as REST; MCP only translates its outcome. */
  const callGatewayTool = async (
    name: string,
    args: unknown,
    ctx: ServerContext,
  ): Promise<CallToolResult | InputRequiredResult> => {
    try {
      const outcome = await callTool(deps, now().caller, name, args ?? {}, now());
      if (outcome.kind === 'answer') return answered(outcome.result);
      const { confirmation } = outcome;
      // The sentence the agent relays: where the user approves (the console), or that it may confirm.
      const relay =
        confirmation.confirmAt === 'person'
          ? `Nothing has been written yet. Ask the user to open ${confirmation.approveUrl} to review and approve this write${confirmation.confirmBy === 'approver' ? ' (a second person with the approver role must approve it)' : ''}; then follow it with get_operation_status.`
          : `Nothing has been written yet. Show the user the summary; if they say yes, call confirm_operation with confirmationId ${confirmation.id}.`;
      const result = success({ confirmation });
      // The JSON stays the first text block, as clients that parse it expect; the sentence follows.
      return { ...result, content: [...result.content, { type: 'text', text: relay }] };
    } catch (error) {
      // Unknown and forbidden look alike: a tool the caller may not use is not listed either.
      if (error instanceof UnknownToolError || error instanceof ToolNotGrantedError)
        throw unknownTool(name);
      if (error instanceof ConnectionRequiredError) {
        const elicitation = connectElicitation(error, ctx);
        if (elicitation) return elicitation;
      }
      return error instanceof AppError ? errorResult(error) : internalError();
    }
  };

  /**
   * A read's answer. What the caller does not see is named in `_meta.withheld` and, for agents
   * that read only the text, in a sentence after the JSON: the data is not missing, it is hidden.
   */
  const answered = (result: ToolResult): CallToolResult => {
    const withheld = result.meta.withheld;
    const plain = success(result.data);
    if (!withheld?.length) return plain;
    const names = withheld
      .map((entry) =>
        'part' in entry ? `${entry.part} (withheld)` : `${entry.path} (${entry.reason})`,
      )
      .join(', ');
    return {
      ...plain,
      content: [
        ...plain.content,
        {
          type: 'text',
          text: `Not shown to your role, not missing: ${names}. Ask an administrator if you need them.`,
        },
      ],
      _meta: { withheld },
    };
  };

  const success = (structured: unknown): CallToolResult => ({
    content: [{ type: 'text', text: text(structured) }],
    structuredContent: structured as Record<string, unknown>,
  });

  const internalError = (): CallToolResult => ({
    isError: true,
    content: [
      {
        type: 'text',
        text: `internal_error: the gateway failed unexpectedly; report request id ${now().requestId}.`,
      },
    ],
  });

  server.setRequestHandler('tools/list', async (request) => {
    // The whole list fits one page, so no cursor was ever issued: any cursor is not ours.
    if (request.params?.cursor !== undefined) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid cursor: tools/list answers every tool in one page. Call it without a cursor.',
      );
    }
    return { tools: listed() };
  });
  /**
   * Sends the person to a page with a URL-mode elicitation when the client declared it
   * (2026-07-28: an `input_required` result; 2025-11-25: error -32042). Once the client retries
   * after the person's visit, or without that capability, the caller gets the tool error with the
   * link instead: never a loop.
   */
  const urlElicitation = (
    ctx: ServerContext,
    input: string,
    elicitation: { message: string; url: string; elicitationId: string },
    fallback: string,
  ): InputRequiredResult | undefined => {
    if (inputResponse(ctx.mcpReq.inputResponses, input).kind !== 'missing') return undefined;
    const envelope = ctx.mcpReq.envelope;
    const declared = envelope
      ? ((envelope as Record<string, unknown>)[CLIENT_CAPABILITIES_META_KEY] as
          | ClientCapabilities
          | undefined)
      : now().declared;
    if (!declared?.elicitation?.url) return undefined;
    const request = { ...elicitation, message: elicitation.message.slice(0, 500) };
    if (envelope) {
      return inputRequired({ inputRequests: { [input]: inputRequired.elicitUrl(request) } });
    }
    throw new UrlElicitationRequiredError([{ mode: 'url', ...request }], fallback);
  };

  /** A person-confirmed write that the agent tried to confirm: the console page that approves it. */
  const approvalElicitation = (error: PersonConfirmationRequiredError, ctx: ServerContext) =>
    urlElicitation(
      ctx,
      APPROVAL_INPUT,
      {
        message: `Review and approve in the Toolgate console: ${error.summary}`,
        url: error.approveUrl,
        elicitationId: `approve-${error.approveUrl.split('/').pop() ?? now().requestId}`,
      },
      `A person must approve this write: open ${error.approveUrl}.`,
    );

  /** A system called on behalf of a user who has not connected it: the page that connects it. */
  const connectElicitation = (error: ConnectionRequiredError, ctx: ServerContext) =>
    urlElicitation(
      ctx,
      CONNECT_INPUT,
      {
        message: `Connect your account so the assistant works with your own permissions. ${error.message}`,
        url: error.connectUrl,
        elicitationId: `connect-${now().caller.sub}-${new URL(error.connectUrl).searchParams.get('connect') ?? 'system'}`,
      },
      `The user must connect first: open ${error.connectUrl}.`,
    );

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const { name, arguments: args } = request.params;
    const meta = metaToolNamed(name);
    if (!meta) return callGatewayTool(name, args, ctx);
    const started = performance.now();
    const effect: CallEffect = metaTools[meta].annotations.readOnlyHint ? 'read' : 'write';
    try {
      const structured = await runMeta(meta, args);
      const refused = await audit(name, args, [], { status: 200 }, started, effect);
      if (refused) return errorResult(refused);
      return success(structured);
    } catch (error) {
      const appError = error instanceof AppError ? error : undefined;
      if (appError) logFailure(deps.logger, appError);
      else
        deps.logger.error('MCP tool call failed', {
          error,
          tool: name,
          requestId: now().requestId,
        });
      await audit(
        name,
        args,
        [],
        appError
          ? { status: appError.statusCode, code: appError.code, message: appError.message }
          : { status: 500, code: 'internal_error' },
        started,
        effect,
      );
      if (appError instanceof PersonConfirmationRequiredError && meta === 'confirm_operation') {
        const elicitation = approvalElicitation(appError, ctx);
        if (elicitation) return elicitation;
      }
      return appError ? errorResult(appError) : internalError();
    }
  });
  return server;
}

/**
 * 2025-era servers kept between requests in a warm function, one per request in flight: a request
 * takes an idle server (or a new one when all are busy), each connected once to its own
 * `ExchangeTransport`, and serves through it. A server answers only the request it was taken for.
 *
 * @example
 * const pool = new McpServerPool(deps);
 * const responses = await pool.serve(call, (transport) => transport.exchange(messages));
 */
export class McpServerPool {
  readonly #deps: McpDeps;
  readonly #idle: PooledServer[] = [];
  readonly #maxIdle: number;
  #created = 0;

  constructor(deps: McpDeps, options: { maxIdle?: number } = {}) {
    this.#deps = deps;
    this.#maxIdle = options.maxIdle ?? 64;
  }

  /** Servers built so far (the bench and tests read it). */
  get created(): number {
    return this.#created;
  }

  async serve<T>(call: McpCall, use: (transport: ExchangeTransport) => Promise<T>): Promise<T> {
    const entry = this.#idle.pop() ?? (await this.#create());
    entry.slot.call = call;
    try {
      return await use(entry.transport);
    } finally {
      entry.slot.call = undefined;
      if (this.#idle.length < this.#maxIdle) this.#idle.push(entry);
      else await entry.server.close();
    }
  }

  async #create(): Promise<PooledServer> {
    this.#created += 1;
    const slot: { call: McpCall | undefined } = { call: undefined };
    const server = createGatewayMcpServer(this.#deps, () => {
      if (!slot.call) throw new Error('An idle MCP server was asked to serve a request.');
      return slot.call;
    });
    const transport = new ExchangeTransport();
    await server.connect(transport);
    return { server, transport, slot };
  }
}

interface PooledServer {
  server: Server;
  transport: ExchangeTransport;
  slot: { call: McpCall | undefined };
}
