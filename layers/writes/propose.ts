import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.ts';
import { inputDigest } from '../digest/input-digest.ts';
import { ConflictError } from '../errors/index.ts';
import type { AnyWriteTool, ToolContext } from '../tools/define.ts';
import type { Confirmation, ConfirmationStore } from './confirmation-store.ts';

export interface ProposalDeps {
  confirmations: ConfirmationStore;
  policyVersion: string;
  ttlSeconds: number;
  now?: () => Date;
}

/** The confirmation an agent gets back for a write (DESIGN.md). */
export interface ConfirmationView {
  id: string;
  tool: string;
  summary: string;
  preview: { changes: Confirmation['preview']['changes']; details?: Record<string, unknown> };
  expiresAt: string;
  confirmBy: 'self' | 'approver';
}

export const confirmationView = (
  confirmation: Confirmation,
  tool: AnyWriteTool,
): ConfirmationView => ({
  id: confirmation.id,
  tool: confirmation.tool,
  summary: confirmation.preview.summary,
  preview: {
    changes: confirmation.preview.changes,
    ...(confirmation.preview.details ? { details: confirmation.preview.details } : {}),
  },
  expiresAt: confirmation.expiresAt,
  confirmBy: tool.confirmBy,
});

/**
 * Proposes a write: previews it (reads only; business rules may refuse it) and stores a single-use
 * confirmation bound to the caller, the tool, the input's digest and the policy version. With an
 * `Idempotency-Key`, a repeated proposal returns the same confirmation.
 *
 * @example
 * const confirmation = await proposeWrite(deps, createTicket, input, ctx, 'key-1');
 */
export async function proposeWrite(
  deps: ProposalDeps,
  tool: AnyWriteTool,
  input: unknown,
  ctx: ToolContext & { caller: Caller },
  idempotencyKey: string | undefined,
): Promise<ConfirmationView> {
  const digest = inputDigest(input);
  const key = idempotencyKey ? `${ctx.caller.sub}#${tool.name}#${idempotencyKey}` : undefined;
  if (key) {
    const existing = await deps.confirmations.findByIdempotencyKey(key);
    if (existing) return reuse(deps, tool, existing, digest);
  }
  const preview = await tool.preview(ctx, input);
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
    status: 'pending',
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
  await deps.confirmations.create(confirmation);
  if (key) {
    const raced = await deps.confirmations.claimIdempotencyKey(
      key,
      { confirmationId: confirmation.id, inputDigest: digest },
      expiresAt,
    );
    if (raced) return reuse(deps, tool, raced, digest);
  }
  return confirmationView(confirmation, tool);
}

async function reuse(
  deps: ProposalDeps,
  tool: AnyWriteTool,
  existing: { confirmationId: string; inputDigest: string },
  digest: string,
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
  return confirmationView(confirmation, tool);
}
