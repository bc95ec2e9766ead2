import { vi } from 'vitest';

export interface TestClock {
  /** Moves the clock forward at once, as if `ms` had passed. */
  advance(ms: number): void;
  /** Gives `Date` back its real clock. */
  restore(): void;
}

/**
 * The clock of this test process, which local mode's functions read since they run in it: real
 * time that a test can move forward at once, instead of sleeping until a TTL, a cool-down or a
 * cache's age has passed. Only `Date` is replaced; timers stay real, so polls and timeouts behave
 * as usual. Install it before local mode starts and restore it after local mode stops, so that
 * time never runs backwards for what local mode stored.
 *
 * @example
 * beforeAll(async () => {
 *   clock = installClock();
 *   local = await startLocalHarness({ BREAKER_COOLDOWN_MS: '1500' });
 * });
 * afterAll(async () => {
 *   await local.stop();
 *   clock.restore();
 * });
 * // …
 * clock.advance(1_600); // the breaker's cool-down is over
 */
export function installClock(): TestClock {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  return {
    advance(ms) {
      vi.setSystemTime(Date.now() + ms);
    },
    restore() {
      vi.useRealTimers();
    },
  };
}
