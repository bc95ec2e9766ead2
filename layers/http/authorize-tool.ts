import { isAllowed, type Policy } from '../auth/policy.ts';
import { ForbiddenError, NotFoundError } from '../errors/index.ts';
import type { ToolRegistry } from '../tools/registry-types.ts';
import type { GatewayMiddleware, GatewayRequest } from './types.ts';

/**
 * Resolves the tool named in the path and checks the caller may use it: 404 for an unknown tool
 * (saying how to list tools), 403 naming the missing grant.
 */
export function authorizeTool(options: {
  registry: ToolRegistry;
  policy: Policy;
}): GatewayMiddleware {
  const before = (request: GatewayRequest) => {
    const name = request.event.pathParameters?.name ?? '';
    const tool = options.registry.get(name);
    if (!tool) {
      throw new NotFoundError(
        'tool_not_found',
        `There is no tool named "${name}". GET /tools lists the tools you may use.`,
      );
    }
    const caller = request.context.gateway.caller;
    if (!caller || !isAllowed(options.policy, caller, tool)) {
      const roles = caller?.roles.length ? caller.roles.join(', ') : 'none';
      throw new ForbiddenError(
        `Your roles (${roles}) do not allow the tool "${name}". Ask an administrator for a role that grants it; GET /tools lists the tools you may use.`,
      );
    }
    request.context.gateway.tool = tool;
  };
  return { before };
}
