import type { Caller } from '../auth/caller.ts';
import { isAllowed, mayConfirm, mayFollow, type Policy } from '../auth/policy.ts';
import { ConflictError, ExpiredError, ForbiddenError, NotFoundError } from '../errors/index.ts';
import { type AnyWriteTool, isWriteTool } from '../tools/define.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import type { Confirmation, ConfirmationStore } from './confirmation-store.ts';
import { operationIdFor } from './operation-id.ts';
import type { Operation, OperationStatus, OperationStore } from './operation-store.ts';
import type { WriteQueue } from './write-queue.ts';

export interface DecideDeps {
  registry: ToolRegistry;
  policy: Policy;
  writes: () => { confirmations: ConfirmationStore; operations: OperationStore; queue: WriteQueue };
  now?: () => Date;
}
const notFound = (id: string) =>
  new NotFoundError(
    'confirmation_not_found',
    `There is no confirmation ${id}. Propose the write again with POST /tools/{name}.`,
  );

/**
 * Who decides a proposal: a four-eyes write is confirmed only by an approver other than the
 * proposer; it is cancelled by such an approver (a rejection) or withdrawn by its proposer, since
 * stopping a write never needs a second pair of eyes. A self-confirmed write is decided by its
 * proposer only.
 */
function authorise(
  deps: DecideDeps,
  caller: Caller,
  confirmation: Confirmation,
  action: 'confirm' | 'cancel',
): AnyWriteTool {
  const tool = deps.registry.get(confirmation.tool);
  if (!tool || !isWriteTool(tool)) throw notFound(confirmation.id);
  const withdrawn = action === 'cancel' && caller.sub === confirmation.sub;
  const allowed = withdrawn || mayConfirm(deps.policy, caller, confirmation.sub, tool.confirmBy);
  const stillGranted = tool.confirmBy === 'approver' || isAllowed(deps.policy, caller, tool);
  if (allowed && stillGranted) return tool;
  if (tool.confirmBy === 'self') {
    throw new ForbiddenError(
      `Only the user who proposed this "${tool.name}" write may confirm or cancel it.`,
    );
  }
  const approver = deps.policy.approverRole;
  if (action === 'confirm') {
    throw new ForbiddenError(
      `"${tool.name}" needs a second person: a user with the ${approver} role other than the proposer must confirm it.`,
    );
  }
  throw new ForbiddenError(
    `"${tool.name}" needs four eyes: only its proposer (to withdraw it) or a user with the ${approver} role (to reject it) may cancel it.`,
  );
}

/**
 * Confirms a write: exactly one queued operation per confirmation, however often it is called.
 *
 * @example
 * const { id, status } = await confirmWrite(deps, caller, 'cf_…');
 */
export async function confirmWrite(
  deps: DecideDeps,
  caller: Caller,
  id: string,
): Promise<{ id: string; status: OperationStatus }> {
  const { confirmations, operations, queue } = deps.writes();
  const confirmation = await confirmations.get(id);
  if (!confirmation) throw notFound(id);
  const tool = authorise(deps, caller, confirmation, 'confirm');
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
    ...(current.roles ? { ownerRoles: current.roles } : {}),
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
  return { id: operation.id, status: operation.status };
}

/**
 * Cancels a pending confirmation; cancelling twice is fine, a confirmed one is a 409. Only who may
 * confirm it may cancel it: for a four-eyes write an approver other than the proposer.
 */
export async function cancelWrite(deps: DecideDeps, caller: Caller, id: string): Promise<void> {
  const { confirmations } = deps.writes();
  const confirmation = await confirmations.get(id);
  if (!confirmation) throw notFound(id);
  authorise(deps, caller, confirmation, 'cancel');
  if (confirmation.status === 'confirmed') {
    throw new ConflictError(
      'confirmation_already_confirmed',
      `Confirmation ${id} was already confirmed as operation ${confirmation.operationId}; it can no longer be cancelled.`,
    );
  }
  if (confirmation.status === 'pending') await confirmations.cancel(id);
}

/** What an operation's owner or an approver sees of it (DESIGN.md). */
export interface OperationView {
  id: string;
  tool: string;
  status: OperationStatus;
  steps: { name: string; status: string; attempts: number; compensationAttempts?: number }[];
  result?: unknown;
  error?: { code: string; message: string };
}

/** Reads an operation for its owner or an approver. */
export async function readOperation(
  deps: Pick<DecideDeps, 'policy' | 'writes'>,
  caller: Caller,
  id: string,
): Promise<OperationView> {
  const operation: Operation | undefined = await deps.writes().operations.get(id);
  if (!operation) {
    throw new NotFoundError(
      'operation_not_found',
      `There is no operation ${id}. Confirming a write returns the id of its operation.`,
    );
  }
  if (!mayFollow(deps.policy, caller, operation.owner)) {
    throw new ForbiddenError(
      `Operation ${id} belongs to another user; only its owner and users with the ${deps.policy.approverRole} role may follow it.`,
    );
  }
  return {
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
  };
}
