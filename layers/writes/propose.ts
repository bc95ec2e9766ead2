import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.ts';
import { inputDigest } from '../digest/input-digest.ts';
import { ConflictError } from '../errors/index.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import {
  type AnyWriteTool,
  confirmAtOf,
  type ToolContext,
  type WritePreview,
} from '../tools/define.ts';
import type { Confirmation, ConfirmationStore } from './confirmation-store.ts';

export interface ProposalDeps {
  confirmations: ConfirmationStore;
  policyVersion: string;
  ttlSeconds: number;
  now?: () => Date;
  /** Tells people that a write waits for them. @default nobody is told */
  notifier?: Notifier;
  logger?: Pick<ToolLogger, 'warn'>;
}

/** What the transport knows of a proposal besides its input. */
export interface ProposalMeta {
  /** On a repeated proposal with the same key and input, the same confirmation. */
  idempotencyKey?: string | undefined;
  /** `X-Agent-Reason`. */
  reason?: string | undefined;
  conversationId?: string | undefined;
  /** The gateway's public base URL (PUBLIC_BASE_URL, else the request's scheme and host). */
  baseUrl: string;
  /**
   * The argument rules' say on this write, once its preview is known (it may throw to refuse):
   * they may raise it to four eyes. `facts`: what they read, kept with the confirmation.
   * @default the tool's own `confirmBy`
   */
  decide?:
    | ((
        preview: WritePreview,
      ) => Promise<{ confirmBy?: 'approver'; facts?: Readonly<Record<string, unknown>> }>)
    | undefined;
}

/** Who confirms a proposal: an approver when an argument rule raised it, else as the tool says. */
export const confirmByOf = (
  confirmation: Pick<Confirmation, 'confirmBy'>,
  tool: Pick<AnyWriteTool, 'confirmBy'>,
): 'self' | 'approver' => confirmation.confirmBy ?? tool.confirmBy;

/** The console page of a confirmation: where a person approves or rejects it. */
export const approveUrlOf = (baseUrl: string, id: string): string =>
  `${baseUrl.replace(/\/$/, '')}/console/approvals/${encodeURIComponent(id)}`;

/** The confirmation an agent gets back for a write (DESIGN.md). */
export interface ConfirmationView {
  id: string;
  tool: string;
  summary: string;
  preview: { changes: Confirmation['preview']['changes']; details?: Record<string, unknown> };
  expiresAt: string;
  confirmBy: 'self' | 'approver';
  /** `person`: only a person's own session (the console) confirms; `conversation`: the agent may. */
  confirmAt: 'conversation' | 'person';
  /** The console page of this confirmation. */
  approveUrl: string;
}

export const confirmationView = (
  confirmation: Confirmation,
  tool: AnyWriteTool,
  baseUrl: string,
): ConfirmationView => ({
  id: confirmation.id,
  tool: confirmation.tool,
  summary: confirmation.preview.summary,
  preview: {
    changes: confirmation.preview.changes,
    ...(confirmation.preview.details ? { details: confirmation.preview.details } : {}),
  },
  expiresAt: confirmation.expiresAt,
  confirmBy: confirmByOf(confirmation, tool),
  confirmAt: confirmAtOf(tool),
  approveUrl: approveUrlOf(baseUrl, confirmation.id),
});

/** Whether a proposal waits for a person: one who confirms in the console, or a second person. */
export const waitsForPerson = (
  tool: AnyWriteTool,
  confirmation: Pick<Confirmation, 'confirmBy'> = {},
): boolean => confirmAtOf(tool) === 'person' || confirmByOf(confirmation, tool) === 'approver';

/**
 * Proposes a write: previews it (reads only; business rules may refuse it) and stores a single-use
 * confirmation bound to the caller, the tool, the input's digest and the policy version. With an
 * `Idempotency-Key`, a repeated proposal returns the same confirmation.
 *
 * @example
 * const confirmation = await proposeWrite(deps, createTicket, input, ctx, { baseUrl, idempotencyKey: 'key-1' });
 */
export async function proposeWrite(
  deps: ProposalDeps,
  tool: AnyWriteTool,
  input: unknown,
  ctx: ToolContext & { caller: Caller },
  meta: ProposalMeta,
): Promise<ConfirmationView> {
  const { idempotencyKey, baseUrl } = meta;
  const digest = inputDigest(input);
  const key = idempotencyKey ? `${ctx.caller.sub}#${tool.name}#${idempotencyKey}` : undefined;
  if (key) {
    const existing = await deps.confirmations.findByIdempotencyKey(key);
    if (existing) return reuse(deps, tool, existing, digest, baseUrl);
  }
  const preview = await tool.preview(ctx, input);
  const decided = (await meta.decide?.(preview)) ?? {};
  const now = deps.now?.() ?? new Date();
  const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000);
  const confirmation: Confirmation = {
    id: `cf_${randomUUID().replace(/-/g, '')}`,
    tool: tool.name,
    sub: ctx.caller.sub,
    roles: ctx.caller.roles,
    input,
    inputDigest: digest,
    policyVersion: deps.policyVersion,
    preview,
    ...(decided.confirmBy ? { confirmBy: decided.confirmBy } : {}),
    ...(decided.facts && Object.keys(decided.facts).length > 0 ? { facts: decided.facts } : {}),
    status: 'pending',
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    ...(meta.reason ? { reason: meta.reason } : {}),
    ...(meta.conversationId ? { conversationId: meta.conversationId } : {}),
  };
  await deps.confirmations.create(confirmation);
  if (key) {
    const raced = await deps.confirmations.claimIdempotencyKey(
      key,
      { confirmationId: confirmation.id, inputDigest: digest },
      expiresAt,
    );
    if (raced) return reuse(deps, tool, raced, digest, baseUrl);
  }
  const view = confirmationView(confirmation, tool, baseUrl);
  if (waitsForPerson(tool, confirmation)) await notifyWaiting(deps, confirmation, view);
  return view;
}

/** Tells the people who decide that a write waits; a notification that fails never fails the proposal. */
async function notifyWaiting(
  deps: ProposalDeps,
  confirmation: Confirmation,
  view: ConfirmationView,
): Promise<void> {
  if (!deps.notifier) return;
  try {
    await deps.notifier.notify({
      kind: 'approval_waiting',
      confirmationId: confirmation.id,
      tool: confirmation.tool,
      summary: view.summary,
      proposedBy: confirmation.sub,
      confirmBy: view.confirmBy,
      reason: confirmation.reason,
      expiresAt: confirmation.expiresAt,
      approveUrl: view.approveUrl,
    });
  } catch (error) {
    deps.logger?.warn('approval notification failed', {
      confirmationId: confirmation.id,
      error: (error as Error).message,
    });
  }
}

async function reuse(
  deps: ProposalDeps,
  tool: AnyWriteTool,
  existing: { confirmationId: string; inputDigest: string },
  digest: string,
  baseUrl: string,
): Promise<ConfirmationView> {
  if (existing.inputDigest !== digest) {
    throw new ConflictError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different input. Use a new key for a different write.',
    );
  }
  const confirmation = await deps.confirmations.get(existing.confirmationId);
  if (!confirmation)
    throw new ConflictError(
      'idempotency_key_reused',
      'The confirmation of this Idempotency-Key is gone; use a new key.',
    );
  return confirmationView(confirmation, tool, baseUrl);
}
