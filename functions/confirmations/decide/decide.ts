import { isAllowed, mayConfirm, type Policy } from '#layers/auth/policy.ts';
import {
  ConflictError,
  ExpiredError,
  ForbiddenError,
  NotFoundError,
} from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http/respond.ts';
import type { WriteDependencies } from '#layers/runtime/dependencies.ts';
import { type AnyWriteTool, type Caller, isWriteTool } from '#layers/tools/define.ts';
import type { ToolRegistry } from '#layers/tools/registry-types.ts';
import type { Confirmation } from '#layers/writes/confirmation-store.ts';
import { operationIdFor } from '#layers/writes/digest.ts';

export interface DecideDeps {
  registry: ToolRegistry;
  policy: Policy;
  writes: () => WriteDependencies;
  now?: () => Date;
}

const notFound = (id: string) =>
  new NotFoundError(
    'confirmation_not_found',
    `There is no confirmation ${id}. Propose the write again with POST /tools/{name}.`,
  );

function authorise(deps: DecideDeps, caller: Caller, confirmation: Confirmation): AnyWriteTool {
  const tool = deps.registry.get(confirmation.tool);
  if (!tool || !isWriteTool(tool)) throw notFound(confirmation.id);
  const allowed = mayConfirm(deps.policy, caller, confirmation.sub, tool.confirmBy);
  const stillGranted = tool.confirmBy === 'approver' || isAllowed(deps.policy, caller, tool);
  if (!allowed || !stillGranted) {
    throw new ForbiddenError(
      tool.confirmBy === 'approver'
        ? `"${tool.name}" needs a second person: a user with the ${deps.policy.approverRole} role other than the proposer must confirm it.`
        : `Only the user who proposed this "${tool.name}" write may confirm or cancel it.`,
    );
  }
  return tool;
}

/**
 * POST /confirmations/{id}: turns a pending confirmation into exactly one queued operation.
 * DELETE /confirmations/{id}: cancels a pending one.
 */
export function decide(deps: DecideDeps): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('decide ran without a caller');
    const id = event.pathParameters?.id ?? '';
    const { confirmations, operations, queue } = deps.writes();
    const confirmation = await confirmations.get(id);
    if (!confirmation) throw notFound(id);
    const tool = authorise(deps, caller, confirmation);

    if (event.requestContext.http.method === 'DELETE') {
      if (confirmation.status === 'confirmed') {
        throw new ConflictError(
          'confirmation_already_confirmed',
          `Confirmation ${id} was already confirmed as operation ${confirmation.operationId}; it can no longer be cancelled.`,
        );
      }
      if (confirmation.status === 'pending') await confirmations.cancel(id);
      return { statusCode: 204, headers: {}, body: '' };
    }

    const now = deps.now?.() ?? new Date();
    let current = confirmation;
    if (current.status === 'pending') {
      if (current.policyVersion !== deps.policy.version) {
        throw new ConflictError(
          'confirmation_stale',
          'Permissions changed since this write was proposed. Propose it again to get a fresh confirmation.',
        );
      }
      if (Date.parse(current.expiresAt) <= now.getTime()) {
        throw new ExpiredError(
          `Confirmation ${id} expired at ${current.expiresAt}. Propose the write again to get a new one.`,
        );
      }
      await confirmations.confirm(id, operationIdFor(id), caller.sub, now);
      current = (await confirmations.get(id)) ?? current;
    }
    if (current.status === 'cancelled') {
      throw new ConflictError(
        'confirmation_cancelled',
        `Confirmation ${id} was cancelled. Propose the write again if it is still wanted.`,
      );
    }
    if (current.status === 'pending') {
      throw new ExpiredError(
        `Confirmation ${id} expired at ${current.expiresAt}. Propose the write again to get a new one.`,
      );
    }
    const operationId = current.operationId ?? operationIdFor(id);
    const stamp = now.toISOString();
    const operation = await operations.createIfAbsent({
      id: operationId,
      tool: tool.name,
      owner: current.sub,
      confirmedBy: current.confirmedBy ?? caller.sub,
      confirmationId: id,
      input: current.input,
      status: 'queued',
      steps: tool.steps.map((step) => ({ name: step.name, status: 'pending', attempts: 0 })),
      createdAt: stamp,
      updatedAt: stamp,
    });
    // Enqueued on every confirmation call until the saga has started: a crash between the
    // confirmation and the send cannot strand an operation, and a duplicate start is a no-op.
    if (operation.status === 'queued') await queue.send({ operationId, tool: tool.name });
    return json(202, { operation: { id: operation.id, status: operation.status } });
  };
}
