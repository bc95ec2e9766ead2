import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http/respond.ts';
import { header } from '#layers/http/types.ts';
import { isWriteTool } from '#layers/tools/define.ts';
import type { ToolRunner } from '#layers/tools/runtime.ts';
import { type ProposalDeps, proposeWrite } from '#layers/writes/propose.ts';

/**
 * POST /tools/{name}: a read tool runs and answers `200 { data, meta }`; a write tool is only
 * proposed and answers `202 { confirmation }`: nothing is written upstream.
 */
export function callTool(deps: {
  runner: ToolRunner;
  proposals: () => ProposalDeps;
}): GatewayLogic {
  return async (event, context) => {
    const { tool, input, caller, requestId } = context.gateway;
    if (!tool || !caller) throw new Error('callTool ran without an authorised tool');
    if (isWriteTool(tool)) {
      await deps.runner.admit(tool, caller);
      const ctx = deps.runner.contextFor(tool.systems, { requestId, caller });
      const confirmation = await proposeWrite(
        deps.proposals(),
        tool,
        input,
        ctx,
        header(event, 'idempotency-key'),
      );
      return json(202, { confirmation });
    }
    const result = await deps.runner.run(tool, input, {
      requestId,
      caller,
      conversationId: header(event, 'x-conversation-id')?.slice(0, 200),
    });
    return json(200, result);
  };
}
