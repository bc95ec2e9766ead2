import { isAllowed, type Policy } from '#layers/auth/policy.ts';
import { describeToolFor, fieldRulesOf } from '#layers/core/field-rules.ts';
import { ForbiddenError, NotFoundError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http-util/respond.ts';
import type { AnyTool } from '#layers/tools/define.ts';
import { toOpenAiStrict } from '#layers/tools/schema-dialects.ts';
import type { ToolRegistry } from '#layers/tools/tool-registry.ts';

const notFound = (name: string) =>
  new NotFoundError(
    'tool_not_found',
    `There is no tool named "${name}". GET /tools lists the tools you may use.`,
  );

/**
 * GET /tools (only what the caller may use), GET /tools/{name}, and the fallback of
 * POST /tools/{name} for names no tool route matched. Output schemas are the caller's: without
 * the fields the policy withholds from their roles.
 */
export function catalog(deps: { registry: ToolRegistry; policy: Policy }): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('catalog ran without a caller');
    const rules = fieldRulesOf(deps.policy);
    const describe = (tool: AnyTool) => describeToolFor(tool, rules.planFor(tool, caller));
    const name = event.pathParameters?.name;
    if (name === undefined) {
      // ?dialect=openai-strict: input schemas in the form OpenAI strict function calling accepts.
      const strict = event.queryStringParameters?.dialect === 'openai-strict';
      const tools = deps.registry.all
        .filter((tool) => isAllowed(deps.policy, caller, tool))
        .map(describe)
        .map((descriptor) =>
          strict
            ? { ...descriptor, inputSchema: toOpenAiStrict(descriptor.inputSchema) }
            : descriptor,
        );
      return json(200, { tools });
    }
    const tool = deps.registry.get(name);
    if (!tool || event.requestContext.http.method !== 'GET') throw notFound(name);
    if (!isAllowed(deps.policy, caller, tool)) {
      throw new ForbiddenError(
        `Your roles (${caller.roles.join(', ') || 'none'}) do not allow the tool "${name}". GET /tools lists the tools you may use.`,
      );
    }
    return json(200, describe(tool));
  };
}
