import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type Tool,
} from '@modelcontextprotocol/server';
import type { CallAuditor, CallEffect } from '../audit/audit-policy.ts';
import { redact } from '../audit/redact.ts';
import { isAllowed, type Policy } from '../auth/policy.ts';
import { AppError } from '../errors/index.ts';
import { logFailure, toEnvelope } from '../http/error-envelope.ts';
import { errorSchema } from '../http/error-envelope-schema.ts';
import { invalidInput } from '../http/validate-input.ts';
import { type AnyTool, type Caller, isWriteTool, type ToolLogger } from '../tools/define.ts';
import { describeTool, jsonSchemaOf } from '../tools/descriptor.ts';
import type { ToolRegistry } from '../tools/registry-types.ts';
import type { ToolRunner } from '../tools/runtime.ts';
import { dropOmittedNulls } from '../tools/schema-dialects.ts';
import { cancelWrite, confirmWrite, type DecideDeps, readOperation } from '../writes/decisions.ts';
import { type ProposalDeps, proposeWrite } from '../writes/propose.ts';
import {
  confirmationOutput,
  type MetaToolName,
  metaToolNamed,
  metaToolSchemas,
  metaTools,
} from './meta-tools.ts';
import { searchTools } from './tool-search.ts';

export interface McpDeps {
  registry: ToolRegistry;
  policy: Policy;
  runner: ToolRunner;
  proposals: () => ProposalDeps;
  decisions: DecideDeps;
  auditor: CallAuditor;
  logger: Pick<ToolLogger, 'error' | 'warn'>;
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
}

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
 * The gateway as an MCP server for one caller and one request (stateless Streamable HTTP): the
 * same registry, policy, validation, audit and write flow as the REST API.
 */
export function createGatewayMcpServer(deps: McpDeps, call: McpCall): Server {
  const server = new Server(
    { name: 'toolgate', title: 'Toolgate', version: deps.version },
    { capabilities: { tools: {} } },
  );
  const permitted = () =>
    deps.registry.all.filter((tool) => isAllowed(deps.policy, call.caller, tool));

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
  ) =>
    deps.auditor.record(
      {
        requestId: call.requestId,
        at: new Date(),
        sub: call.caller.sub,
        roles: call.caller.roles,
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
      case 'confirm_operation':
        return {
          operation: await confirmWrite(deps.decisions, call.caller, String(input.confirmationId)),
        };
      case 'cancel_confirmation':
        await cancelWrite(deps.decisions, call.caller, String(input.confirmationId));
        return { cancelled: true };
      case 'get_operation_status':
        return {
          operation: await readOperation(deps.decisions, call.caller, String(input.operationId)),
        };
    }
  };

  const runTool = async (tool: AnyTool, args: unknown): Promise<unknown> => {
    const parsed = tool.input.safeParse(
      dropOmittedNulls(describeTool(tool).inputSchema, args ?? {}),
      { reportInput: true },
    );
    if (!parsed.success) throw invalidInput(tool.name, parsed.error);
    if (isWriteTool(tool)) {
      await deps.runner.admit(tool, call.caller);
      const ctx = deps.runner.contextFor(tool.systems, {
        requestId: call.requestId,
        caller: call.caller,
      });
      return {
        confirmation: await proposeWrite(deps.proposals(), tool, parsed.data, ctx, undefined),
      };
    }
    return (
      await deps.runner.run(tool, parsed.data, {
        requestId: call.requestId,
        caller: call.caller,
        conversationId: call.conversationId,
      })
    ).data;
  };

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
  server.setRequestHandler('tools/call', async (request): Promise<CallToolResult> => {
    const started = performance.now();
    const { name, arguments: args } = request.params;
    const meta = metaToolNamed(name);
    const tool = meta ? undefined : deps.registry.get(name);
    if (!meta && (!tool || !isAllowed(deps.policy, call.caller, tool))) {
      // Unknown and forbidden look alike: a tool the caller may not use is not listed either.
      const refusal = unknownTool(name);
      const code = tool ? 'forbidden' : 'tool_not_found';
      await audit(
        name,
        undefined,
        [],
        { status: tool ? 403 : 404, code, message: refusal.message },
        started,
        'read',
      );
      throw refusal;
    }
    const effect: CallEffect = meta
      ? metaTools[meta].annotations.readOnlyHint
        ? 'read'
        : 'write'
      : (tool as AnyTool).risk;
    try {
      const structured = meta ? await runMeta(meta, args) : await runTool(tool as AnyTool, args);
      const refused = await audit(name, args, tool?.redact ?? [], { status: 200 }, started, effect);
      if (refused) return errorResult(refused);
      return {
        content: [{ type: 'text', text: text(structured) }],
        structuredContent: structured as Record<string, unknown>,
      };
    } catch (error) {
      if (error instanceof AppError) {
        logFailure(deps.logger, error);
        await audit(
          name,
          args,
          tool?.redact ?? [],
          { status: error.statusCode, code: error.code, message: error.message },
          started,
          effect,
        );
        return errorResult(error);
      }
      deps.logger.error('MCP tool call failed', { error, tool: name, requestId: call.requestId });
      await audit(
        name,
        args,
        tool?.redact ?? [],
        { status: 500, code: 'internal_error' },
        started,
        effect,
      );
      return {
        isError: true,
        content: [
          {
            type: 'text',
            text: `internal_error: the gateway failed unexpectedly; report request id ${call.requestId}.`,
          },
        ],
      };
    }
  });
  return server;
}
