import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

/** The CRM sandbox's call log. */
async function crmCalls(local: LocalHarness) {
  const res = await fetch(`${local.sandboxes.crm}/_sandbox/requests`);
  return ((await res.json()) as { requests: { operation: string; credential?: string }[] })
    .requests;
}

describe('token exchange the identity provider refuses', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    // An audience the provider issues no tokens for: it refuses with invalid_target.
    local = await startLocalHarness({
      SYSTEM_CRM_CREDENTIAL: 'exchange',
      SYSTEM_CRM_EXCHANGE_AUDIENCE: 'not-a-system',
    });
  }, 60_000);
  afterAll(() => local.stop());

  it('answers 403 exchange_refused and never calls the CRM with the service credential', async () => {
    // Arrange
    const before = (await crmCalls(local)).length;
    // Act
    const res = await local.call('POST', '/tools/search_customers', {
      as: { sub: 'ana', roles: ['support'] },
      body: { query: 'C-0000', limit: 5 },
    });
    // Assert
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('exchange_refused');
    expect(res.body.error.retryable).toBe(false);
    expect(res.body.error.message).toContain('invalid_target');
    expect((await crmCalls(local)).slice(before)).toEqual([]);
  });
});
