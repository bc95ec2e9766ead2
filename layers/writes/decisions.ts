import type { ArgumentRulesView } from '../argument-policy/argument-rules.ts';
import type { Caller } from '../auth/caller.ts';
import { isAllowed, mayConfirm, mayFollow, mayFollowAll, type Policy } from '../auth/policy.ts';
import {
  ConflictError,
  ExpiredError,
  ForbiddenError,
  NotFoundError,
  PersonConfirmationRequiredError,
} from '../errors/index.ts';
import { snapshotOf } from '../policy/policy-source.ts';
import { type AnyWriteTool, confirmAtOf, isWriteTool } from '../tools/define.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import type { Confirmation, ConfirmationStore } from './confirmation-store.ts';
import { operationIdFor } from './operation-id.ts';
import type { Operation, OperationStatus, OperationStore } from './operation-store.ts';
import { approveUrlOf, type ConfirmationView, confirmationView, confirmByOf } from './propose.ts';
import { decideAgain } from './redecide.ts';
import type { WriteQueue } from './write-queue.ts';

export interface DecideDeps {
  registry: ToolRegistry;
  policy: Policy;
  writes: () => { confirmations: ConfirmationStore; operations: OperationStore; queue: WriteQueue };
  /**
   * The console's OIDC client id (CONSOLE_CLIENT_ID): a token issued to it is a person's session,
   * the only one that confirms a person-confirmed write. Unset: no token is.
   */
  consoleClientId?: string | undefined;
  /** The current policy's argument rules: a write proposed under another version is decided again. */
  argumentRules?: ArgumentRulesView | undefined;
  now?: () => Date;
}

/** A confirmation as the console and GET /confirmations/{id} show it (DESIGN.md). */
export interface ConfirmationDetail extends ConfirmationView {
  status: 'pending' | 'confirmed' | 'cancelled' | 'expired';
  proposedBy: string;
  reason?: string;
  conversationId?: string;
  operationId?: string;
  confirmedBy?: string;
  cancelledBy?: string;
  cancelReason?: string;
  createdAt: string;
}

/** The longest reason a person may give for a rejection (kept in the audit trail). */
export const MAX_DECISION_REASON_LENGTH = 500;

/** Whether the caller is a person in their own session (the console), not an agent. */
export const isPersonSession = (deps: Pick<DecideDeps, 'consoleClientId'>, caller: Caller) =>
  Boolean(deps.consoleClientId) && caller.clientId === deps.consoleClientId;
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
  const confirmBy = confirmByOf(confirmation, tool);
  const allowed = withdrawn || mayConfirm(deps.policy, caller, confirmation.sub, confirmBy);
  const stillGranted = confirmBy === 'approver' || isAllowed(deps.policy, caller, tool);
  if (allowed && stillGranted) return tool;
  if (confirmBy === 'self') {
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
 * A write proposed under another policy version is decided again under the current one
 * (layers/writes/redecide.ts); `policyVersion` is the version it was confirmed under, for the
 * audit trail.
 *
 * @example
 * const { id, status } = await confirmWrite(deps, caller, 'cf_…', 'https://gateway.example');
 */
export async function confirmWrite(
  deps: DecideDeps,
  caller: Caller,
  id: string,
  baseUrl: string,
): Promise<{ id: string; status: OperationStatus; policyVersion: string }> {
  const { confirmations, operations, queue } = deps.writes();
  const confirmation = await confirmations.get(id);
  if (!confirmation) throw notFound(id);
  // One policy for the whole decision, and its version for the record, even if a new one arrives.
  const policy = snapshotOf(deps.policy);
  const version = policy.version;
  const registered = deps.registry.get(confirmation.tool);
  // Proposed under another version (a rollout, any policy edit): decided again under this one, for
  // those who may decide it; anyone else is refused below as before.
  if (
    confirmation.status === 'pending' &&
    confirmation.policyVersion !== version &&
    registered &&
    isWriteTool(registered) &&
    mayConfirm(policy, caller, confirmation.sub, confirmByOf(confirmation, registered))
  ) {
    await decideAgain(policy, deps.argumentRules, registered, confirmation);
  }
  const tool = authorise(deps, caller, confirmation, 'confirm');
  if (
    confirmation.status === 'pending' &&
    confirmAtOf(tool) === 'person' &&
    !isPersonSession(deps, caller)
  ) {
    const approveUrl = approveUrlOf(baseUrl, id);
    throw new PersonConfirmationRequiredError(
      `"${tool.name}" must be approved by a person, not by an agent: ask the user to open ${approveUrl} and approve it there. Once they have, confirming again answers with the operation to follow (GET /operations/{id} or get_operation_status).`,
      approveUrl,
      confirmation.preview.summary,
    );
  }
  const now = deps.now?.() ?? new Date();
  let current = confirmation;
  if (current.status === 'pending') {
    if (Date.parse(current.expiresAt) <= now.getTime()) {
      throw new ExpiredError(
        `Confirmation ${id} expired at ${current.expiresAt}. Propose the write again to get a new one.`,
      );
    }
    await confirmations.confirm(
      id,
      operationIdFor(id),
      caller.sub,
      now,
      current.policyVersion === version ? undefined : version,
    );
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
  return {
    id: operation.id,
    status: operation.status,
    policyVersion: current.confirmedPolicyVersion ?? current.policyVersion,
  };
}

/**
 * Cancels a pending confirmation; cancelling twice is fine, a confirmed one is a 409. Only who may
 * confirm it may cancel it: for a four-eyes write an approver other than the proposer. Stopping a
 * write never needs a person's session: an agent may withdraw what it proposed.
 */
export async function cancelWrite(
  deps: DecideDeps,
  caller: Caller,
  id: string,
  reason?: string,
): Promise<void> {
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
  if (confirmation.status === 'pending')
    await confirmations.cancel(id, {
      sub: caller.sub,
      reason: reason?.slice(0, MAX_DECISION_REASON_LENGTH),
    });
}

/** Who may see a confirmation: its proposer, and approvers. */
const maySee = (deps: Pick<DecideDeps, 'policy'>, caller: Caller, confirmation: Confirmation) =>
  mayFollow(deps.policy, caller, confirmation.sub);

function detail(
  confirmation: Confirmation,
  tool: AnyWriteTool,
  baseUrl: string,
  now: Date,
): ConfirmationDetail {
  const expired =
    confirmation.status === 'pending' && Date.parse(confirmation.expiresAt) <= now.getTime();
  return {
    ...confirmationView(confirmation, tool, baseUrl),
    status: expired ? 'expired' : confirmation.status,
    proposedBy: confirmation.sub,
    createdAt: confirmation.createdAt,
    ...(confirmation.reason ? { reason: confirmation.reason } : {}),
    ...(confirmation.conversationId ? { conversationId: confirmation.conversationId } : {}),
    ...(confirmation.operationId ? { operationId: confirmation.operationId } : {}),
    ...(confirmation.confirmedBy ? { confirmedBy: confirmation.confirmedBy } : {}),
    ...(confirmation.cancelledBy ? { cancelledBy: confirmation.cancelledBy } : {}),
    ...(confirmation.cancelReason ? { cancelReason: confirmation.cancelReason } : {}),
  };
}

/**
 * A confirmation for its proposer or an approver; anyone else gets the 404 of one that does not
 * exist (whether it exists is not theirs to learn).
 */
export async function readConfirmation(
  deps: Pick<DecideDeps, 'policy' | 'writes' | 'registry' | 'now'>,
  caller: Caller,
  id: string,
  baseUrl: string,
): Promise<ConfirmationDetail> {
  const confirmation = await deps.writes().confirmations.get(id);
  const tool = confirmation && deps.registry.get(confirmation.tool);
  if (!confirmation || !tool || !isWriteTool(tool) || !maySee(deps, caller, confirmation))
    throw notFound(id);
  return detail(confirmation, tool, baseUrl, deps.now?.() ?? new Date());
}

/** The most pending confirmations an inbox shows. */
const INBOX_SIZE = 100;

/**
 * What waits for this person's decision, newest first: their own writes that a person confirms,
 * and, for approvers, other people's four-eyes writes. Expired ones are left out.
 */
export async function pendingFor(
  deps: Pick<DecideDeps, 'policy' | 'writes' | 'registry' | 'now'>,
  caller: Caller,
  baseUrl: string,
): Promise<ConfirmationDetail[]> {
  const now = deps.now?.() ?? new Date();
  const pending = await deps.writes().confirmations.listPending(INBOX_SIZE);
  return pending.flatMap((confirmation) => {
    const tool = deps.registry.get(confirmation.tool);
    if (!tool || !isWriteTool(tool)) return [];
    if (Date.parse(confirmation.expiresAt) <= now.getTime()) return [];
    const decides =
      confirmByOf(confirmation, tool) === 'approver'
        ? mayConfirm(deps.policy, caller, confirmation.sub, 'approver')
        : caller.sub === confirmation.sub && confirmAtOf(tool) === 'person';
    return decides ? [detail(confirmation, tool, baseUrl, now)] : [];
  });
}

/** What an operation's owner, approvers and admins see of it (DESIGN.md, ISSUE 13). */
export interface OperationView {
  id: string;
  tool: string;
  status: OperationStatus;
  owner: string;
  confirmedBy: string;
  createdAt: string;
  updatedAt: string;
  steps: { name: string; status: string; attempts: number; compensationAttempts?: number }[];
  result?: unknown;
  error?: { code: string; message: string };
}

/**
 * An operation as lists and GET /operations/{id} show it (never its input: that is in the
 * confirmation and the audit trail).
 */
export function operationView(operation: Operation): OperationView {
  return {
    id: operation.id,
    tool: operation.tool,
    status: operation.status,
    owner: operation.owner,
    confirmedBy: operation.confirmedBy,
    createdAt: operation.createdAt,
    updatedAt: operation.updatedAt,
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

/** Reads an operation for its owner, an approver or an admin. */
export async function readOperation(
  deps: Pick<DecideDeps, 'policy' | 'writes'>,
  caller: Caller,
  id: string,
): Promise<OperationView & { confirmationId: string }> {
  const operation: Operation | undefined = await deps.writes().operations.get(id);
  if (!operation) {
    throw new NotFoundError(
      'operation_not_found',
      `There is no operation ${id}. Confirming a write returns the id of its operation.`,
    );
  }
  if (operation.owner !== caller.sub && !mayFollowAll(deps.policy, caller)) {
    throw new ForbiddenError(
      `Operation ${id} belongs to another user; only its owner and users with the ${deps.policy.approverRole} or ${deps.policy.adminRole} role may follow it.`,
    );
  }
  return { ...operationView(operation), confirmationId: operation.confirmationId };
}
