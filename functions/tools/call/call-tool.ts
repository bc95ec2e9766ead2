import { callTool as callToolCore, type ToolCallDeps } from '#layers/core/tool-call.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { header } from '#layers/http-util/api-gateway.ts';
import { json } from '#layers/http-util/respond.ts';

/**
 * POST /tools/{name}, the REST edge of the tool-call core: a read tool answers `200 { data, meta }`;
 * a write tool is only proposed and answers `202 { confirmation }`: nothing is written upstream.
 * The core authorizes, validates, admits, runs or proposes, and writes the audit record.
 */
export function callTool(deps: ToolCallDeps): GatewayLogic {
  return async (event, context) => {
    const { caller, requestId } = context.gateway;
    if (!caller) throw new Error('callTool ran without an authenticated caller');
    // From here on the core keeps the call's one audit record.
    context.gateway.audited = true;
    const outcome = await callToolCore(deps, caller, event.pathParameters?.name ?? '', event.body, {
      requestId,
      reason: header(event, 'x-agent-reason'),
      conversationId: header(event, 'x-conversation-id'),
      idempotencyKey: header(event, 'idempotency-key'),
    });
    return outcome.kind === 'answer'
      ? json(200, outcome.result)
      : json(202, { confirmation: outcome.confirmation });
  };
}
