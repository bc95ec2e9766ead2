import { describe, expect, it } from 'vitest';
import { argumentRulesOf } from '#layers/argument-policy/argument-rules.ts';
import type { Caller } from '#layers/auth/caller.ts';
import type { Policy } from '#layers/auth/policy.ts';
import type { ConflictError } from '#layers/errors/index.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { registry } from '#layers/tools/registry.ts';
import type { Confirmation, ConfirmationStore } from '#layers/writes/confirmation-store.ts';
import { confirmWrite, type DecideDeps } from '#layers/writes/decisions.ts';

const CONSOLE = 'console';
// sam confirms his own order in his console session, as create_order asks below the threshold.
const sam: Caller = { sub: 'sam', roles: ['sales'], clientId: CONSOLE };
const bea: Caller = { sub: 'bea', roles: ['approver'], clientId: CONSOLE };

const rule = (threshold: number) => ({
  name: 'orders.cedar',
  text: `@id("order-approval-over-${threshold}")
@needs("approver")
forbid (principal, action == Action::"create_order", resource)
when { context.amount > ${threshold} };`,
});

/** The policy the proposal was made under, and edits of it (each its own version). */
const proposedUnder: Policy = { ...defaultPolicy, version: 'v1-proposed' };
const edited = (change: Partial<Policy>, version: string): Policy => ({
  ...proposedUnder,
  ...change,
  version,
});
const withRole = (role: string, grants: string[]) =>
  edited(
    { roles: { ...proposedUnder.roles, [role]: { description: role, grants } } },
    `v2-${role}`,
  );

/**
 * A pending create_order of 500 (the fact its rule read, recorded with the proposal) by sam,
 * confirmed by `sam` himself unless the proposal was raised to an approver.
 */
function pendingOrder(options: { policy: Policy; threshold: number; confirmBy?: 'approver' }) {
  const confirmation: Confirmation = {
    id: 'cf_1',
    tool: 'create_order',
    sub: 'sam',
    roles: ['sales'],
    input: { customerId: 'C-00001', lines: [{ sku: 'SKU-1', quantity: 5 }] },
    inputDigest: 'digest',
    policyVersion: proposedUnder.version,
    preview: { summary: 'order', changes: [] } as unknown as Confirmation['preview'],
    facts: { amount: 500 },
    ...(options.confirmBy ? { confirmBy: options.confirmBy } : {}),
    status: 'pending',
    createdAt: '2026-12-03T10:00:00.000Z',
    expiresAt: '2026-12-03T10:10:00.000Z',
  };
  const confirmed: { by?: string; version?: string | undefined } = {};
  const confirmations: Pick<ConfirmationStore, 'get' | 'confirm'> = {
    get: async () => ({ ...confirmation }),
    confirm: async (_id, operationId, by, _now, version) => {
      Object.assign(confirmation, {
        status: 'confirmed',
        operationId,
        confirmedBy: by,
        ...(version ? { confirmedPolicyVersion: version } : {}),
      });
      Object.assign(confirmed, { by, version });
      return true;
    },
  };
  const sent: string[] = [];
  const deps = {
    registry,
    policy: options.policy,
    argumentRules: argumentRulesOf([rule(options.threshold)], registry.all),
    consoleClientId: CONSOLE,
    now: () => new Date('2026-12-03T10:05:00.000Z'),
    writes: () => ({
      confirmations,
      operations: { createIfAbsent: async (operation: unknown) => operation },
      queue: { send: async ({ operationId }: { operationId: string }) => sent.push(operationId) },
    }),
  } as unknown as DecideDeps;
  return { deps, confirmed, sent };
}

const refusal = (act: Promise<unknown>) =>
  act.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error as ConflictError,
  );

describe('confirmWrite under another policy version', () => {
  it('confirms under the same version without deciding again', async () => {
    const { deps, confirmed, sent } = pendingOrder({ policy: proposedUnder, threshold: 100 });

    const operation = await confirmWrite(deps, sam, 'cf_1', 'https://gw.test');

    expect(operation).toMatchObject({ status: 'queued', policyVersion: 'v1-proposed' });
    expect(confirmed).toEqual({ by: 'sam', version: undefined });
    expect(sent).toHaveLength(1);
  });

  it('confirms after an unrelated change and records the version it was confirmed under', async () => {
    const { deps, confirmed, sent } = pendingOrder({
      policy: withRole('viewer', ['search_customers', 'get_customer', 'get_order_status']),
      threshold: 1000,
    });

    const operation = await confirmWrite(deps, sam, 'cf_1', 'https://gw.test');

    expect(operation).toMatchObject({ status: 'queued', policyVersion: 'v2-viewer' });
    expect(confirmed).toEqual({ by: 'sam', version: 'v2-viewer' });
    expect(sent).toHaveLength(1);
  });

  it('refuses with confirmation_stale when an argument rule now needs an approver', async () => {
    const { deps, confirmed } = pendingOrder({
      policy: edited({}, 'v2-threshold'),
      threshold: 100,
    });

    const error = await refusal(confirmWrite(deps, sam, 'cf_1', 'https://gw.test'));

    expect(error.statusCode).toBe(409);
    expect(error.code).toBe('confirmation_stale');
    expect(error.message).toContain(
      '"create_order" now needs an approver (argument rule "order-approval-over-100")',
    );
    expect(confirmed).toEqual({});
  });

  it('confirms a four-eyes write whose rule became less strict, still by an approver', async () => {
    const { deps, confirmed } = pendingOrder({
      policy: edited({}, 'v2-threshold'),
      threshold: 10_000,
      confirmBy: 'approver',
    });

    await confirmWrite(deps, bea, 'cf_1', 'https://gw.test');

    expect(confirmed).toEqual({ by: 'bea', version: 'v2-threshold' });
  });

  it('refuses with confirmation_stale when the tool is no longer granted to the proposer', async () => {
    const { deps, confirmed } = pendingOrder({
      policy: withRole(
        'sales',
        (proposedUnder.roles.sales?.grants ?? []).filter((grant) => grant !== 'create_order'),
      ),
      threshold: 1000,
    });

    const error = await refusal(confirmWrite(deps, sam, 'cf_1', 'https://gw.test'));

    expect(error.code).toBe('confirmation_stale');
    expect(error.message).toContain(
      `"create_order" is no longer granted to the proposer's roles (sales)`,
    );
    expect(confirmed).toEqual({});
  });

  it('refuses an approver the same way when the proposer lost the tool', async () => {
    const { deps } = pendingOrder({
      policy: withRole('sales', ['system:crm']),
      threshold: 100,
      confirmBy: 'approver',
    });

    const error = await refusal(confirmWrite(deps, bea, 'cf_1', 'https://gw.test'));

    expect(error.code).toBe('confirmation_stale');
  });

  it('answers who may not decide it with the usual 403, not with what changed', async () => {
    const { deps } = pendingOrder({ policy: edited({}, 'v2-threshold'), threshold: 100 });

    const error = await refusal(
      confirmWrite(deps, { sub: 'sue', roles: ['sales'], clientId: CONSOLE }, 'cf_1', 'x'),
    );

    expect(error.statusCode).toBe(403);
  });
});
