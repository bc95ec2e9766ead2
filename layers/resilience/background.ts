/** What a background task that failed is reported to. */
export type BackgroundErrorReporter = (label: string, error: Error) => void;

/**
 * Work the answer does not wait for (shared-state refreshes, outcome and cache writes), tracked so
 * that tests and handlers can wait for it with `settled()`. A task that fails is reported, never
 * thrown at the caller who started it. On Lambda, work still pending when the answer leaves
 * resumes when the instance is thawed for its next call.
 *
 * @example
 * background.run('breaker flush', () => flush());
 * await background.settled(); // every task started so far, and those they started, are done
 */
export class Background {
  readonly #pending = new Set<Promise<void>>();
  #report: BackgroundErrorReporter;

  constructor(report: BackgroundErrorReporter = () => {}) {
    this.#report = report;
  }

  /** Where failures go from now on (the composition root passes the logger). */
  reportTo(report: BackgroundErrorReporter): void {
    this.#report = report;
  }

  /** Starts `task` now; its failure is reported under `label`. */
  run(label: string, task: () => Promise<unknown>): void {
    const tracked = (async () => {
      try {
        await task();
      } catch (error) {
        this.#report(label, error instanceof Error ? error : new Error(String(error)));
      }
    })();
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** Resolves once no task is pending, including tasks started while waiting. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** How many tasks are pending. */
  get size(): number {
    return this.#pending.size;
  }
}

/** The instance's background work, shared by every resilience part of the instance. */
export const background = new Background();
