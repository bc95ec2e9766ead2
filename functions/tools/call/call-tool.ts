import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http/respond.ts';
import type { ToolRunner } from '#layers/tools/runtime.ts';

/**
 * POST /tools/{name} for read tools: runs the tool resolved and validated by the middlewares and
 * answers `{ data, meta }`.
 */
export function callTool(deps: { runner: ToolRunner }): GatewayLogic {
  return async (_event, context) => {
    const { tool, input, caller, requestId } = context.gateway;
    if (!tool || !caller) throw new Error('callTool ran without an authorised tool');
    const result = await deps.runner.run(tool, input, { requestId, caller });
    return json(200, result);
  };
}
