import { mayFollow, type Policy } from '#layers/auth/policy.ts';
import { ForbiddenError, NotFoundError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http/respond.ts';
import type { WriteDependencies } from '#layers/runtime/dependencies.ts';

/** GET /operations/{id}: status and steps of a confirmed write, for its owner and approvers. */
export function getOperation(deps: {
  policy: Policy;
  writes: () => WriteDependencies;
}): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('getOperation ran without a caller');
    const id = event.pathParameters?.id ?? '';
    const operation = await deps.writes().operations.get(id);
    if (!operation)
      throw new NotFoundError(
        'operation_not_found',
        `There is no operation ${id}. POST /confirmations/{id} returns the operation id of a confirmed write.`,
      );
    if (!mayFollow(deps.policy, caller, operation.owner)) {
      throw new ForbiddenError(
        `Operation ${id} belongs to another user; only its owner and users with the ${deps.policy.approverRole} role may follow it.`,
      );
    }
    return json(200, {
      operation: {
        id: operation.id,
        tool: operation.tool,
        status: operation.status,
        steps: operation.steps.map(({ name, status, attempts, compensationAttempts }) => ({
          name,
          status,
          attempts,
          ...(compensationAttempts ? { compensationAttempts } : {}),
        })),
        ...(operation.result === undefined ? {} : { result: operation.result }),
        ...(operation.error ? { error: operation.error } : {}),
      },
    });
  };
}
