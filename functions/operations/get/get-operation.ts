import * as z from 'zod';
import { mayFollowAll, type Policy } from '#layers/auth/policy.ts';
import type { WriteDependencies } from '#layers/composition/parts.ts';
import { ForbiddenError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { listQueryFields, parseListQuery } from '#layers/http-util/list-query.ts';
import { json } from '#layers/http-util/respond.ts';
import { operationView, readOperation } from '#layers/writes/decisions.ts';
import type { OperationSearch } from '#layers/writes/operation-search.ts';

const listQuery = z.strictObject({
  ...listQueryFields,
  status: z.enum(['queued', 'running', 'succeeded', 'rolled_back', 'failed']).optional(),
  tool: z.string().min(1).max(128).optional(),
  owner: z.string().min(1).max(256).optional(),
});

/**
 * GET /operations/{id}: status and steps of a confirmed write, for its owner, approvers and
 * admins. GET /operations: the operations the caller may follow, newest first, filtered by
 * status, tool, owner and time (approvers and admins see everyone's; others their own).
 */
export function getOperation(deps: {
  policy: Policy;
  writes: () => WriteDependencies;
  search: Pick<OperationSearch, 'list'>;
}): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('getOperation ran without a caller');
    const id = event.pathParameters?.id;
    if (id !== undefined) return json(200, { operation: await readOperation(deps, caller, id) });
    const query = parseListQuery(listQuery, event.queryStringParameters);
    const everyone = mayFollowAll(deps.policy, caller);
    if (!everyone && query.owner !== undefined && query.owner !== caller.sub) {
      throw new ForbiddenError(
        `Only users with the ${deps.policy.approverRole} or ${deps.policy.adminRole} role see other users' operations. Leave out owner to list your own.`,
      );
    }
    const { limit, cursor, ...filters } = query;
    const page = await deps.search.list(
      { ...filters, ...(everyone ? {} : { owner: caller.sub }) },
      { limit, cursor },
    );
    return json(200, {
      operations: page.operations.map(operationView),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  };
}
