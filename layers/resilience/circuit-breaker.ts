import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UpstreamUnavailableError } from '../errors/index.ts';
import { type Background, background } from './background.ts';
import { resilienceKeys } from './keys.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerPolicy {
  /** Share of failed calls in the window that opens the breaker. @default 0.5 */
  failureRate: number;
  /** Fewest calls in the window before the rate counts. @default 10 */
  minimumCalls: number;
  /** Length of the counting window. @default 30000 */
  windowMs: number;
  /** How long an open breaker fails fast before letting probes through. @default 30000 */
  coolDownMs: number;
  /** Probes allowed while half-open. @default 1 */
  halfOpenProbes: number;
  /** How long an instance trusts the state it last read; after it, it re-reads in the background. @default 1000 */
  cacheMs: number;
  /** The oldest state an instance decides from: past it, a call waits for a fresh read. @default 10000 */
  maxStaleMs: number;
}

export const defaultBreakerPolicy: BreakerPolicy = {
  failureRate: 0.5,
  minimumCalls: 10,
  windowMs: 30_000,
  coolDownMs: 30_000,
  halfOpenProbes: 1,
  cacheMs: 1_000,
  maxStaleMs: 10_000,
};

interface StoredBreaker {
  state: BreakerState;
  openedAt: number;
  windowStart: number;
  okCount: number;
  failCount: number;
  probes: number;
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error)?.name === 'ConditionalCheckFailedException';

const closedState = (): StoredBreaker => ({
  state: 'closed',
  openedAt: 0,
  windowStart: 0,
  okCount: 0,
  failCount: 0,
  probes: 0,
});

/**
 * A circuit breaker per system whose state every function instance shares through DynamoDB.
 * A call is decided from this instance's view, without a round trip: the shared state it last
 * read (re-read in the background once older than `cacheMs`, awaited only once older than
 * `maxStaleMs`) plus the outcomes it counted since. Outcomes are added to the shared window in
 * the background (successes at most once per `cacheMs`, failures at once); when the view
 * crosses the failure rate, this instance opens the breaker at once and writes it for the
 * others, who see it within `cacheMs` of their next call. Only changes of state wait for the
 * table: claiming a half-open probe (one instance at a time probes) and the write of an opening
 * or closing, by the one call that caused it.
 *
 * @example
 * const breaker = new SharedCircuitBreaker({ client, tableName, systemId: 'erp', displayName: 'ERP' });
 * await breaker.beforeCall();        // throws 503 circuit_open while open
 * await breaker.afterCall(success);  // may open or close it
 */
export class SharedCircuitBreaker {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #key: string;
  readonly #name: string;
  readonly #policy: BreakerPolicy;
  readonly #now: () => number;
  readonly #onOpen: ((systemId: string) => void) | undefined;
  readonly #systemId: string;
  readonly #background: Background;
  /** The shared state as this instance last read or wrote it. */
  #view: { at: number; value: StoredBreaker } | undefined;
  /** Outcomes counted here and not yet added to the shared window. */
  #pending = { ok: 0, fail: 0 };
  /** Outcomes being added right now (still part of this instance's view). */
  #sending = { ok: 0, fail: 0 };
  #lastFlush = 0;
  #flushQueued = false;
  #refreshing = false;
  /** This instance holds a half-open probe: its outcome closes or reopens the breaker. */
  #probing = false;
  /** Bumped by every decision taken here: a read begun before one must not undo it. */
  #decisions = 0;
  /** Every read and write of the shared item, one after another, in order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    systemId: string;
    displayName: string;
    policy?: Partial<BreakerPolicy>;
    now?: () => number;
    onOpen?: (systemId: string) => void;
    /** @default the instance's background */
    background?: Background;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#systemId = options.systemId;
    this.#key = resilienceKeys.breaker.key(options.systemId);
    this.#name = options.displayName;
    this.#policy = { ...defaultBreakerPolicy, ...options.policy };
    this.#now = options.now ?? Date.now;
    this.#onOpen = options.onOpen;
    this.#background = options.background ?? background;
  }

  /** Fails fast while open; lets a bounded number of probes through once the cool-down is over. */
  async beforeCall(): Promise<void> {
    const state = await this.#current();
    if (state.state === 'closed') return;
    const now = this.#now();
    const reopensAt = state.openedAt + this.#policy.coolDownMs;
    if (now < reopensAt) throw this.#openError(reopensAt - now);
    await this.#claimProbe(state);
  }

  /**
   * The state every instance shares, read now (GET /systems). An open breaker whose cool-down is
   * over lets the next call through as a probe: it is reported `half_open`.
   */
  async status(): Promise<{ state: BreakerState; openedAt?: number; retryAt?: number }> {
    const stored = await this.#readInTurn();
    if (stored.state === 'closed') return { state: 'closed' };
    const retryAt = stored.openedAt + this.#policy.coolDownMs;
    const state = stored.state === 'open' && this.#now() >= retryAt ? 'half_open' : stored.state;
    return { state, openedAt: stored.openedAt, retryAt };
  }

  /**
   * Counts the outcome; opens on too many failures, closes after a successful probe. Counts are
   * written in the background; the rare call that opens or closes the breaker waits for that write.
   */
  async afterCall(success: boolean): Promise<void> {
    if (this.#probing) {
      this.#probing = false;
      await (success ? this.#close() : this.#open());
      return;
    }
    if (success) this.#pending.ok++;
    else this.#pending.fail++;
    const view = this.#view?.value;
    if (view && view.state !== 'closed') return;
    if (!success && this.#shouldOpen()) {
      await this.#open();
      return;
    }
    if (!success || this.#now() - this.#lastFlush >= this.#policy.cacheMs) this.#flushSoon();
  }

  /** The view a call is decided from: fresh, stale with a background re-read, or awaited. */
  async #current(): Promise<StoredBreaker> {
    const now = this.#now();
    const view = this.#view;
    if (view && now - view.at < this.#policy.cacheMs) return view.value;
    if (view && now - view.at < this.#policy.maxStaleMs) {
      if (!this.#refreshing) {
        this.#refreshing = true;
        this.#background.run(`breaker ${this.#systemId} refresh`, () =>
          this.#readInTurn().finally(() => {
            this.#refreshing = false;
          }),
        );
      }
      return view.value;
    }
    return this.#readInTurn();
  }

  /** Cool-down over: claims one of the half-open probe slots (awaited), or fails fast. */
  async #claimProbe(state: StoredBreaker): Promise<void> {
    const claimed = await this.#serial(async () => {
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: this.#key },
            UpdateExpression: 'SET #state = :half ADD probes :one',
            ConditionExpression:
              '#state <> :closed AND openedAt = :openedAt AND (attribute_not_exists(probes) OR probes < :limit)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':half': 'half_open',
              ':closed': 'closed',
              ':one': 1,
              ':openedAt': state.openedAt,
              ':limit': this.#policy.halfOpenProbes,
            },
          }),
        );
        this.#decisions++;
        this.#view = { at: this.#now(), value: { ...state, state: 'half_open' } };
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return false;
      }
    });
    if (claimed) {
      this.#probing = true;
      return;
    }
    // What this instance saw is out of date: decide from the shared state as it is now.
    const shared = await this.#readInTurn();
    if (shared.state === 'closed') return;
    const reopensAt = shared.openedAt + this.#policy.coolDownMs;
    throw this.#openError(Math.max(reopensAt - this.#now(), this.#policy.coolDownMs / 2));
  }

  /** Whether the window's outcomes, as this instance knows them, call for opening. */
  #shouldOpen(): boolean {
    const now = this.#now();
    const windowStart = now - (now % this.#policy.windowMs);
    const shared = this.#view?.value;
    const sameWindow = shared !== undefined && shared.windowStart === windowStart;
    const ok = (sameWindow ? shared.okCount : 0) + this.#sending.ok + this.#pending.ok;
    const fail = (sameWindow ? shared.failCount : 0) + this.#sending.fail + this.#pending.fail;
    const total = ok + fail;
    return total >= this.#policy.minimumCalls && fail / total >= this.#policy.failureRate;
  }

  #flushSoon(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    this.#lastFlush = this.#now();
    // Decisions are counted from here: one taken while the flush waits its turn (an opening whose
    // write is queued behind it) must not be undone by the counts the flush reads back.
    const decisions = this.#decisions;
    this.#background.run(`breaker ${this.#systemId} outcomes`, () =>
      this.#serial(async () => {
        this.#flushQueued = false;
        await this.#flush(decisions);
      }),
    );
  }

  /** Adds the pending outcomes to the shared window; opens when the shared counts call for it. */
  async #flush(decisions: number): Promise<void> {
    const { ok, fail } = this.#pending;
    if (ok === 0 && fail === 0) return;
    this.#pending = { ok: 0, fail: 0 };
    this.#sending = { ok, fail };
    this.#lastFlush = this.#now();
    const now = this.#now();
    const windowStart = now - (now % this.#policy.windowMs);
    let counts: StoredBreaker;
    try {
      counts = await this.#addOutcomes(windowStart, ok, fail);
    } catch (error) {
      // Counted again with the next flush.
      this.#pending.ok += ok;
      this.#pending.fail += fail;
      throw error;
    } finally {
      this.#sending = { ok: 0, fail: 0 };
    }
    if (decisions !== this.#decisions) return;
    this.#view = { at: this.#now(), value: counts };
    const total = counts.okCount + counts.failCount;
    if (
      counts.state === 'closed' &&
      total >= this.#policy.minimumCalls &&
      counts.failCount / total >= this.#policy.failureRate
    ) {
      // Queued behind this flush, not awaited by it (that would wait for itself).
      this.#background.run(`breaker ${this.#systemId} open`, () => this.#open());
    }
  }

  async #addOutcomes(windowStart: number, ok: number, fail: number): Promise<StoredBreaker> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: this.#key },
          UpdateExpression: 'ADD okCount :ok, failCount :fail',
          ConditionExpression: 'windowStart = :window',
          ExpressionAttributeValues: { ':ok': ok, ':fail': fail, ':window': windowStart },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as StoredBreaker;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // A new window (or no item yet): start it with these counts, keeping the state.
    const result = await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: this.#key },
        UpdateExpression:
          'SET windowStart = :window, okCount = :ok, failCount = :fail, #state = if_not_exists(#state, :closed), openedAt = if_not_exists(openedAt, :zero)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':window': windowStart,
          ':ok': ok,
          ':fail': fail,
          ':closed': 'closed',
          ':zero': 0,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes as StoredBreaker;
  }

  /**
   * Opens here at once, then for every instance. The call that opened it waits for the write:
   * a function frozen right after answering must not keep the others from knowing.
   */
  #open(): Promise<void> {
    const now = this.#now();
    const value = this.#view?.value ?? closedState();
    this.#decisions++;
    this.#view = { at: now, value: { ...value, state: 'open', openedAt: now, probes: 0 } };
    this.#pending = { ok: 0, fail: 0 };
    this.#onOpen?.(this.#systemId);
    return this.#write({
      UpdateExpression: 'SET #state = :open, openedAt = :now, probes = :zero',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':open': 'open', ':now': now, ':zero': 0 },
    });
  }

  /**
   * Closes here at once with a new window, then for every instance; the probe's call waits for
   * the write, as a probe held by a frozen function would keep every other instance failing fast.
   */
  #close(): Promise<void> {
    const now = this.#now();
    const windowStart = now - (now % this.#policy.windowMs);
    this.#decisions++;
    this.#view = { at: now, value: { ...closedState(), windowStart } };
    this.#pending = { ok: 0, fail: 0 };
    return this.#write({
      UpdateExpression:
        'SET #state = :closed, probes = :zero, windowStart = :window, okCount = :zero, failCount = :zero',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':closed': 'closed', ':zero': 0, ':window': windowStart },
    });
  }

  /** Writes a change of state after the reads and writes queued before it. */
  async #write(
    update: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<void> {
    await this.#serial(() =>
      this.#client.send(
        new UpdateCommand({ TableName: this.#table, Key: { pk: this.#key }, ...update }),
      ),
    );
  }

  /** Runs `task` after every read and write queued before it. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Reads the shared state in its turn. Decisions are counted from the moment the read is queued:
   * one taken while it waits (an opening whose write is queued behind it) stands.
   */
  #readInTurn(): Promise<StoredBreaker> {
    const decisions = this.#decisions;
    return this.#serial(() => this.#read(decisions));
  }

  async #read(decisions: number): Promise<StoredBreaker> {
    const at = this.#now();
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { pk: this.#key } }),
    );
    const value: StoredBreaker = {
      state: (Item?.state as BreakerState | undefined) ?? 'closed',
      openedAt: (Item?.openedAt as number | undefined) ?? 0,
      windowStart: (Item?.windowStart as number | undefined) ?? 0,
      okCount: (Item?.okCount as number | undefined) ?? 0,
      failCount: (Item?.failCount as number | undefined) ?? 0,
      probes: (Item?.probes as number | undefined) ?? 0,
    };
    // A decision taken here while reading (a probe claimed, the breaker opened) stands: its
    // write is queued behind this read.
    if (decisions === this.#decisions && !this.#probing) this.#view = { at, value };
    return value;
  }

  #openError(retryAfterMs: number): UpstreamUnavailableError {
    return new UpstreamUnavailableError(
      `${this.#name} is failing, so the gateway stopped calling it for a moment (circuit open). Try again in ${Math.ceil(retryAfterMs / 1000)} s, or tell the user the system is temporarily unavailable.`,
      { retryAfterMs: Math.ceil(retryAfterMs) },
    );
  }
}
