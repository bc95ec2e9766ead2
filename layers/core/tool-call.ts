import type { ArgumentRulesView } from '../argument-policy/argument-rules.ts';
import type { CallAuditor, CallEffect } from '../audit/audit-policy.ts';
import type { AuditRecord } from '../audit/audit-repository.ts';
import { redact } from '../audit/redact.ts';
import type { Caller } from '../auth/caller.ts';
import { isAllowed, type Policy } from '../auth/policy.ts';
import { UpstreamCalls } from '../connectors/upstream-calls.ts';
import { AppError, ConfigurationError, ForbiddenError, NotFoundError } from '../errors/index.ts';
import { logFailure } from '../observability/log-failure.ts';
import { recordToolCall } from '../observability/metrics.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import { type AnyReadTool, type AnyTool, type AnyWriteTool, isWriteTool } from '../tools/define.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import type { ToolResult, ToolRunner } from '../tools/tool-runner.ts';
import { type ConfirmationView, type ProposalDeps, proposeWrite } from '../writes/propose.ts';
import { applyFieldPlan, fieldRulesOf } from './field-rules.ts';
import { validateToolInput } from './validate-input.ts';

/** What the core needs, whatever the transport. */
export interface ToolCallDeps {
  registry: ToolRegistry;
  policy: Policy;
  runner: ToolRunner;
  proposals: () => ProposalDeps;
  auditor: CallAuditor;
  logger: Pick<ToolLogger, 'error' | 'warn'>;
  /** Rules on input values (infra/policy/*.cedar); only a tool they name pays for them. */
  argumentRules?: ArgumentRulesView | undefined;
}

/** What a transport knows about a call besides the caller, the tool name and the input. */
export interface CallMeta {
  requestId: string;
  /** `X-Agent-Reason`: why the agent calls; kept in the audit trail. */
  reason?: string | undefined;
  conversationId?: string | undefined;
  /** On a write proposal: the same key and input return the same confirmation. */
  idempotencyKey?: string | undefined;
  /** The gateway's public base URL, for the links an answer carries (`approveUrl`). */
  baseUrl: string;
  /** The caller's own access token, exchanged for a system called with token exchange; never recorded. */
  subjectToken?: string | undefined;
}

export type ToolCallOutcome =
  | { kind: 'answer'; tool: AnyReadTool; result: ToolResult }
  | { kind: 'proposal'; tool: AnyWriteTool; confirmation: ConfirmationView };

const MAX_NAME_LENGTH = 128;

/** No tool of that name: 404 `tool_not_found`. */
export class UnknownToolError extends NotFoundError {
  constructor(message: string) {
    super('tool_not_found', message);
  }
}

/** A tool the caller's roles do not grant: 403 `forbidden` (MCP answers it as unknown). */
export class ToolNotGrantedError extends ForbiddenError {}
const MAX_REASON_LENGTH = 500;
const MAX_CONVERSATION_ID_LENGTH = 200;

/**
 * The tool a caller names, if the policy lets them use it: 404 naming how to list tools for an
 * unknown name (own names only: `constructor` is unknown), 403 naming the missing grant.
 */
export function resolveTool(
  deps: Pick<ToolCallDeps, 'registry' | 'policy'>,
  caller: Caller,
  name: string,
): AnyTool {
  const tool = deps.registry.get(name);
  if (!tool) {
    throw new UnknownToolError(
      `There is no tool named "${name.slice(0, MAX_NAME_LENGTH)}". GET /tools lists the tools you may use.`,
    );
  }
  if (!isAllowed(deps.policy, caller, tool)) {
    const roles = caller.roles.length ? caller.roles.join(', ') : 'none';
    throw new ToolNotGrantedError(
      `Your roles (${roles}) do not allow the tool "${name}". Ask an administrator for a role that grants it; GET /tools lists the tools you may use.`,
    );
  }
  return tool;
}

/**
 * One tool call, the same over every transport (REST, MCP): authorization, validation, admission,
 * then a read runs or a write is proposed (nothing written), the policy's field rules shape a
 * read's answer for the caller, and one audit record (which keeps no answer data), whatever the
 * outcome. A success that cannot be recorded is refused (`audit_unavailable`); every refusal is
 * an `AppError` the transport turns into its own error shape.
 *
 * @example
 * const outcome = await callTool(deps, caller, 'get_customer', { customerId: 'C-00001' }, { requestId });
 * if (outcome.kind === 'answer') return json(200, outcome.result);
 */
export async function callTool(
  deps: ToolCallDeps,
  caller: Caller,
  name: string,
  rawInput: unknown,
  meta: CallMeta,
): Promise<ToolCallOutcome> {
  const started = performance.now();
  let tool: AnyTool | undefined;
  let input: unknown;
  // The calls the tool makes to business systems, with their own request ids, for the record.
  const upstream = new UpstreamCalls();
  const record = (outcome: { status: number; error?: AppError }): AuditRecord => ({
    requestId: meta.requestId,
    at: new Date(),
    sub: caller.sub,
    roles: caller.roles,
    ...(caller.clientId ? { clientId: caller.clientId.slice(0, 200) } : {}),
    tool: tool?.name ?? name.slice(0, MAX_NAME_LENGTH),
    ...(input === undefined ? {} : { input: redact(input, tool?.redact ?? []) }),
    ...(meta.reason ? { reason: meta.reason.slice(0, MAX_REASON_LENGTH) } : {}),
    ...(meta.conversationId
      ? { conversationId: meta.conversationId.slice(0, MAX_CONVERSATION_ID_LENGTH) }
      : {}),
    outcome: outcome.status < 400 ? 'success' : 'error',
    statusCode: outcome.status,
    ...(outcome.status >= 400
      ? { errorCode: outcome.error?.code ?? 'internal_error', ...messageOf(outcome.error) }
      : {}),
    durationMs: Math.round(performance.now() - started),
    ...upstreamOf(upstream),
  });
  // A refused or failed call is recorded as a read: its own error stands either way.
  const effect = (): CallEffect => tool?.risk ?? 'read';
  let outcome: ToolCallOutcome;
  try {
    tool = resolveTool(deps, caller, name);
    input = validateToolInput(tool, rawInput);
    if (!isWriteTool(tool)) await checkReadArguments(deps, tool, caller, input, meta, upstream);
    outcome = isWriteTool(tool)
      ? {
          kind: 'proposal',
          tool,
          confirmation: await propose(deps, tool, input, caller, meta, upstream),
        }
      : {
          kind: 'answer',
          tool,
          // Field rules apply after the runner's cache: a cached answer serves every role.
          result: applyFieldPlan(
            fieldRulesOf(deps.policy).planFor(tool, caller),
            await deps.runner.run(tool, input, {
              requestId: meta.requestId,
              caller,
              conversationId: meta.conversationId?.slice(0, MAX_CONVERSATION_ID_LENGTH),
              upstream,
              baseUrl: meta.baseUrl,
              subjectToken: meta.subjectToken,
            }),
          ),
        };
  } catch (error) {
    // Only names of registered tools become metric dimensions: any other name is the caller's.
    if (tool)
      recordToolCall(tool.name, {
        durationMs: performance.now() - started,
        errorCategory: error instanceof AppError ? error.category : 'internal',
      });
    if (error instanceof AppError) {
      logFailure(deps.logger, error);
      await deps.auditor.record(record({ status: error.statusCode, error }), effect());
    } else {
      deps.logger.error('tool call failed', { error, tool: name, requestId: meta.requestId });
      await deps.auditor.record(record({ status: 500 }), effect());
    }
    throw error;
  }
  const refusal = await deps.auditor.record(
    record({ status: outcome.kind === 'answer' ? 200 : 202 }),
    effect(),
  );
  recordToolCall(outcome.tool.name, {
    durationMs: performance.now() - started,
    errorCategory: refusal?.category,
    cache: outcome.kind === 'answer' ? outcome.result.meta.cache : undefined,
  });
  if (refusal) throw refusal;
  return outcome;
}

async function propose(
  deps: ToolCallDeps,
  tool: AnyWriteTool,
  input: unknown,
  caller: Caller,
  meta: CallMeta,
  upstream: UpstreamCalls,
): Promise<ConfirmationView> {
  refuseExchangedWrites(deps.runner, tool);
  await deps.runner.admit(tool, caller);
  const ctx = deps.runner.contextFor(tool.systems, {
    requestId: meta.requestId,
    caller,
    upstream,
    baseUrl: meta.baseUrl,
    subjectToken: meta.subjectToken,
  });
  const rules = deps.argumentRules;
  return proposeWrite(deps.proposals(), tool, input, ctx, {
    idempotencyKey: meta.idempotencyKey,
    reason: meta.reason,
    conversationId: meta.conversationId?.slice(0, MAX_CONVERSATION_ID_LENGTH),
    baseUrl: meta.baseUrl,
    // Write rules may test what the preview read (an order's total), so they run after it and
    // before anything is stored.
    // The facts are kept with the confirmation: one confirmed under another policy version is
    // decided again from them, without reading the systems again.
    decide: rules?.mentions(tool.name)
      ? async (preview) => {
          const facts = await rules.factsOf(tool, { ctx, input, preview });
          return { ...(await rules.check(tool, caller, input, facts)), facts };
        }
      : undefined,
  });
}

/**
 * A confirmed write's saga runs after the proposing request, with no caller's token to exchange:
 * a write to a system called with token exchange could be confirmed but never run, so it is not
 * proposed at all.
 */
function refuseExchangedWrites(runner: Pick<ToolRunner, 'exchanges'>, tool: AnyWriteTool): void {
  const systems = [...new Set(tool.steps.map((step) => step.system))].filter((id) =>
    runner.exchanges(id),
  );
  if (systems.length === 0) return;
  throw new ConfigurationError(
    'exchange_not_for_writes',
    `"${tool.name}" cannot be proposed: it writes to ${systems.join(', ')}, which this deployment calls with tokens exchanged for the caller's own, and a confirmed write runs after this request, with no token to exchange. Tell the user; nothing was stored.`,
    {
      operatorDetail: `call ${systems.join(', ')} with per-user connections (SYSTEM_<ID>_CREDENTIAL=user) or the service credential to offer its write tools`,
    },
  );
}

/** A read's argument rules, before it runs; a tool no rule names skips this at a set lookup. */
async function checkReadArguments(
  deps: ToolCallDeps,
  tool: AnyReadTool,
  caller: Caller,
  input: unknown,
  meta: CallMeta,
  upstream: UpstreamCalls,
): Promise<void> {
  const rules = deps.argumentRules;
  if (!rules?.mentions(tool.name)) return;
  const facts =
    rules.factsFor(tool).length > 0
      ? await rules.factsOf(tool, {
          ctx: deps.runner.contextFor(tool.systems, {
            requestId: meta.requestId,
            caller,
            upstream,
            subjectToken: meta.subjectToken,
          }),
          input,
        })
      : {};
  await rules.check(tool, caller, input, facts);
}

const upstreamOf = (upstream: UpstreamCalls) => {
  const calls = upstream.list();
  return calls.length > 0 ? { upstream: calls } : {};
};

const messageOf = (error: AppError | undefined) => (error ? { errorMessage: error.message } : {});
