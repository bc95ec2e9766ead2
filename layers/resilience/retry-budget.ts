/**
 * A retry budget per system, in the spirit of the AWS SDK's retry quota: a retry spends a token,
 * a success earns a fraction of one back. While a system fails half its calls, retries add at
 * most `refillPerSuccess` (10 %) more calls, after a small initial burst; when it recovers, the
 * budget refills.
 *
 * @example
 * const budget = new RetryBudget();
 * if (budget.tryRetry()) { … retry … }
 * budget.recordSuccess();
 */
export class RetryBudget {
  readonly #capacity: number;
  readonly #refill: number;
  #tokens: number;

  constructor(options: { capacity?: number; refillPerSuccess?: number } = {}) {
    this.#capacity = options.capacity ?? 5;
    this.#refill = options.refillPerSuccess ?? 0.1;
    this.#tokens = this.#capacity;
  }

  /** Spends one token for a retry; false when the budget is exhausted. */
  tryRetry(): boolean {
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  recordSuccess(): void {
    this.#tokens = Math.min(this.#capacity, this.#tokens + this.#refill);
  }

  get tokens(): number {
    return this.#tokens;
  }
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog): a random wait between 0 and
 * `min(cap, base * 2^attempt)`.
 *
 * @example
 * await sleep(fullJitter(attempt)); // attempt 0 → 0..100 ms, 1 → 0..200 ms, …
 */
export function fullJitter(
  attempt: number,
  options: { baseMs?: number; capMs?: number; random?: () => number } = {},
): number {
  const ceiling = Math.min(options.capMs ?? 2000, (options.baseMs ?? 100) * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}
