import type { Policy } from '#layers/auth/policy.ts';
import type { WriteDependencies } from '#layers/composition/parts.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http-util/respond.ts';
import { readOperation } from '#layers/writes/decisions.ts';

/** GET /operations/{id}: status and steps of a confirmed write, for its owner and approvers. */
export function getOperation(deps: {
  policy: Policy;
  writes: () => WriteDependencies;
}): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('getOperation ran without a caller');
    return json(200, {
      operation: await readOperation(deps, caller, event.pathParameters?.id ?? ''),
    });
  };
}
