import { describe, expect, it } from 'vitest';
import type { Caller } from '#layers/auth/caller.ts';
import type { ForbiddenError } from '#layers/errors/index.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { registry } from '#layers/tools/registry.ts';
import type { Confirmation, ConfirmationStore } from '#layers/writes/confirmation-store.ts';
import { cancelWrite, type DecideDeps } from '#layers/writes/decisions.ts';

const sam: Caller = { sub: 'sam', roles: ['sales'] };
const sue: Caller = { sub: 'sue', roles: ['sales'] };
const bea: Caller = { sub: 'bea', roles: ['approver'] };
const ana: Caller = { sub: 'ana', roles: ['support'] };

/** One pending proposal of `tool` by `proposer`, in a store that only keeps its status. */
function proposal(tool: string, proposer: Caller) {
  const confirmation: Confirmation = {
    id: 'cf_1',
    tool,
    // create_order is four-eyes when an argument rule raised it (a large order)
    ...(tool === 'create_order' ? { confirmBy: 'approver' as const } : {}),
    sub: proposer.sub,
    input: {},
    inputDigest: 'digest',
    policyVersion: defaultPolicy.version,
    preview: {} as Confirmation['preview'],
    status: 'pending',
    createdAt: '2026-11-23T10:00:00.000Z',
    expiresAt: '2026-11-23T10:10:00.000Z',
  };
  const confirmations: Pick<ConfirmationStore, 'get' | 'cancel'> = {
    get: async (id) => (id === confirmation.id ? { ...confirmation } : undefined),
    cancel: async () => {
      confirmation.status = 'cancelled';
      return true;
    },
  };
  const deps = {
    registry,
    policy: defaultPolicy,
    writes: () => ({ confirmations }),
  } as unknown as DecideDeps;
  return { deps, status: () => confirmation.status };
}

const refusal = (act: Promise<unknown>) =>
  act.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error as ForbiddenError,
  );

describe('cancelWrite', () => {
  describe('of a four-eyes (approver-confirmed) write', () => {
    it('lets an approver other than the proposer cancel it', async () => {
      const { deps, status } = proposal('create_order', sam);

      await cancelWrite(deps, bea, 'cf_1');

      expect(status()).toBe('cancelled');
    });

    it('lets the proposer withdraw it', async () => {
      const { deps, status } = proposal('create_order', sam);

      await cancelWrite(deps, sam, 'cf_1');

      expect(status()).toBe('cancelled');
    });

    it('lets the proposer withdraw it when the proposer holds the approver role too', async () => {
      const { deps, status } = proposal('create_order', sam);

      await cancelWrite(deps, { sub: 'sam', roles: ['sales', 'approver'] }, 'cf_1');

      expect(status()).toBe('cancelled');
    });

    it('refuses a colleague without the approver role', async () => {
      const { deps, status } = proposal('create_order', sam);

      const error = await refusal(cancelWrite(deps, sue, 'cf_1'));

      expect(error.statusCode).toBe(403);
      expect(error.message).toContain('proposer (to withdraw it)');
      expect(error.message).toContain('approver role (to reject it)');
      expect(status()).toBe('pending');
    });
  });

  describe('of a self-confirmed write', () => {
    it('lets the proposer cancel it', async () => {
      const { deps, status } = proposal('create_ticket', ana);

      await cancelWrite(deps, ana, 'cf_1');

      expect(status()).toBe('cancelled');
    });

    it('refuses anyone else, an approver included', async () => {
      const { deps, status } = proposal('create_ticket', ana);

      const error = await refusal(cancelWrite(deps, bea, 'cf_1'));

      expect(error.statusCode).toBe(403);
      expect(error.message).toContain('Only the user who proposed');
      expect(status()).toBe('pending');
    });
  });
});
