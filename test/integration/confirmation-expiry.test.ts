import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installClock, type TestClock } from '#test/helpers/clock.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

describe('confirmation expiry', () => {
  let local: LocalHarness;
  let clock: TestClock;

  beforeAll(async () => {
    clock = installClock();
    local = await startLocalHarness({ CONFIRMATION_TTL_SECONDS: '60' });
  });
  afterAll(async () => {
    await local.stop();
    clock.restore();
  });

  it('answers 410 when a confirmation is confirmed after it expired, and queues nothing', async () => {
    const ana = { sub: 'ana', roles: ['support'] };
    const proposal = await local.call('POST', '/tools/create_ticket', {
      as: ana,
      body: {
        customerId: 'C-00021',
        subject: 'Too late',
        description: 'Confirmed after the expiry on purpose.',
      },
    });
    const expiresIn = Date.parse(proposal.body.confirmation.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(60_000);
    clock.advance(61_000);
    const res = await local.call('POST', `/confirmations/${proposal.body.confirmation.id}`, {
      person: true,
      as: ana,
    });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('confirmation_expired');
    expect(res.body.error.message).toContain('Propose the write again');
    expect(local.stepFunctions.executions.size).toBe(0);
  });
});
