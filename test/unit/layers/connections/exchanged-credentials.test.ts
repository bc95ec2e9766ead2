import { describe, expect, it, vi } from 'vitest';
import { ExchangedCredentials } from '#layers/connections/exchanged-credentials.ts';
import type { UserTokenSet } from '#layers/connections/oauth-client.ts';
import type { ExchangeTarget, TokenExchanger } from '#layers/connections/token-exchange.ts';
import { defineSystem } from '#layers/connectors/system-definition.ts';
import { ExchangeRefusedError } from '#layers/errors/index.ts';

const system = defineSystem({
  id: 'crm',
  displayName: 'CRM',
  apiShape: 'HubSpot CRM v3 objects',
  auth: { type: 'bearer' },
  credential: 'exchange',
  pagination: { style: 'none' },
});
const unusedFetch = async (): Promise<Response> => {
  throw new Error('the exchanger is a stand-in');
};
const call = { fetchToken: unusedFetch };

/** An exchanger that issues `exchanged-<n>` for 5 minutes; `hold` keeps exchanges pending. */
function fakeExchanger(clock: { now: number }) {
  const seen: { subjectToken: string; target: ExchangeTarget }[] = [];
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  const exchanger: TokenExchanger = {
    async exchange(subjectToken, target): Promise<UserTokenSet> {
      seen.push({ subjectToken, target });
      const n = seen.length;
      if (held) await held;
      return { accessToken: `exchanged-${n}`, issuedAt: clock.now, expiresAt: clock.now + 300_000 };
    },
  };
  return {
    exchanger,
    seen,
    hold: () => {
      held = new Promise((done) => {
        release = done;
      });
    },
    release: () => {
      held = undefined;
      release?.();
    },
  };
}

const credentialsWith = (
  exchanger: TokenExchanger,
  clock: { now: number },
  logger = { info: vi.fn() },
) =>
  new ExchangedCredentials({
    systems: new Map([['crm', { system, target: { audience: 'crm' } }]]),
    exchanger,
    logger,
    now: () => clock.now,
  });

describe('ExchangedCredentials', () => {
  it('exchanges the caller token for the system once and reuses it until shortly before expiry', async () => {
    // Arrange
    const clock = { now: 1_000_000 };
    const fake = fakeExchanger(clock);
    const credentials = credentialsWith(fake.exchanger, clock);
    // Act
    const first = await credentials.authenticatorFor('crm', 'ana', 'ana-token').headers(call);
    clock.now += 260_000;
    const again = await credentials.authenticatorFor('crm', 'ana', 'ana-token').headers(call);
    clock.now += 20_000; // within the margin (a tenth of 5 minutes) before expiry
    const renewed = await credentials.authenticatorFor('crm', 'ana', 'ana-token').headers(call);
    // Assert
    expect(first).toEqual({ authorization: 'Bearer exchanged-1' });
    expect(again).toEqual(first);
    expect(renewed).toEqual({ authorization: 'Bearer exchanged-2' });
    expect(fake.seen).toEqual([
      { subjectToken: 'ana-token', target: { audience: 'crm' } },
      { subjectToken: 'ana-token', target: { audience: 'crm' } },
    ]);
  });

  it('keeps each user their own token when two users call', async () => {
    // Arrange
    const clock = { now: 1_000_000 };
    const fake = fakeExchanger(clock);
    const credentials = credentialsWith(fake.exchanger, clock);
    // Act
    const ana = await credentials.authenticatorFor('crm', 'ana', 'ana-token').headers(call);
    const bea = await credentials.authenticatorFor('crm', 'bea', 'bea-token').headers(call);
    // Assert
    expect(ana).not.toEqual(bea);
    expect(fake.seen.map((seen) => seen.subjectToken)).toEqual(['ana-token', 'bea-token']);
  });

  it('runs one exchange when calls of one user miss together', async () => {
    // Arrange
    const clock = { now: 1_000_000 };
    const fake = fakeExchanger(clock);
    const credentials = credentialsWith(fake.exchanger, clock);
    fake.hold();
    // Act
    const calls = Array.from({ length: 5 }, () =>
      credentials.authenticatorFor('crm', 'ana', 'ana-token').headers(call),
    );
    await vi.waitFor(() => expect(fake.seen.length).toBe(1));
    fake.release();
    const answers = await Promise.all(calls);
    // Assert
    expect(fake.seen).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.authorization))).toEqual(
      new Set(['Bearer exchanged-1']),
    );
  });

  it('exchanges again after the system rejected the exchanged token', async () => {
    // Arrange
    const clock = { now: 1_000_000 };
    const fake = fakeExchanger(clock);
    const auth = credentialsWith(fake.exchanger, clock).authenticatorFor('crm', 'ana', 'ana-token');
    // Act
    await auth.headers(call);
    auth.invalidate();
    const next = await auth.headers(call);
    // Assert
    expect(next).toEqual({ authorization: 'Bearer exchanged-2' });
  });

  it('answers exchange_refused, without asking the provider, when the call carries no token', async () => {
    // Arrange
    const clock = { now: 1_000_000 };
    const fake = fakeExchanger(clock);
    // Act
    const failure = await credentialsWith(fake.exchanger, clock)
      .authenticatorFor('crm', 'ana', undefined)
      .headers(call)
      .catch((caught: unknown) => caught);
    // Assert
    expect(failure).toBeInstanceOf(ExchangeRefusedError);
    expect(fake.seen).toHaveLength(0);
  });

  it('logs who and which system, never a token', async () => {
    // Arrange
    const clock = { now: 1_000_000 };
    const fake = fakeExchanger(clock);
    const logger = { info: vi.fn() };
    // Act
    await credentialsWith(fake.exchanger, clock, logger)
      .authenticatorFor('crm', 'ana', 'ana-token')
      .headers(call);
    // Assert
    expect(logger.info).toHaveBeenCalledWith('token exchanged for a system', {
      system: 'crm',
      sub: 'ana',
    });
    expect(JSON.stringify(logger.info.mock.calls)).not.toMatch(/ana-token|exchanged-1/);
  });
});
