import { describe, expect, it } from 'vitest';
import { prefillHandler } from '#functions/tools/prefetch/prefill.ts';

/** The handler's dependencies, recording what it did. */
function fakes(prefill: (request: unknown) => Promise<void> = async () => {}) {
  const seen = { prefilled: [] as unknown[], errors: [] as string[], warnings: [] as string[] };
  const deps = {
    runner: {
      prefill: async (request: unknown) => {
        seen.prefilled.push(request);
        await prefill(request);
      },
    },
    logger: {
      error: (message: string) => seen.errors.push(message),
      warn: (message: string) => seen.warnings.push(message),
    },
  };
  return { deps: deps as unknown as Parameters<typeof prefillHandler>[0], seen };
}

describe('prefillHandler', () => {
  it('prefills the conversation for a well-formed event', async () => {
    const { deps, seen } = fakes();
    const event = {
      conversationId: 'conv-1',
      caller: { sub: 'ana', roles: ['support'] },
      input: { customerId: 'C-00001' },
    };
    await prefillHandler(deps)(event);
    expect(seen.prefilled).toEqual([event]);
  });

  it('logs and drops an event of the wrong shape without prefilling', async () => {
    const { deps, seen } = fakes();
    await prefillHandler(deps)({ conversationId: '', caller: { sub: 'ana' } });
    expect(seen.prefilled).toEqual([]);
    expect(seen.errors).toEqual(['prefetch event has the wrong shape']);
  });

  it('swallows a failed prefetch with a warning: the agent will read live', async () => {
    const { deps, seen } = fakes(async () => {
      throw new Error('ERP down');
    });
    await expect(
      prefillHandler(deps)({ conversationId: 'c', caller: { sub: 'a', roles: [] }, input: {} }),
    ).resolves.toBeUndefined();
    expect(seen.warnings).toEqual(['conversation prefetch failed']);
  });
});
