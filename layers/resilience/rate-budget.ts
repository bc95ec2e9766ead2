import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimitedError } from '../errors/index.ts';
import { parseRetryAfter } from '../http-util/retry-after.ts';
import { type Background, background } from './background.ts';
import { type ResilienceKeyKind, resilienceKeys } from './keys.ts';

interface CounterOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  requests: number;
  perSeconds: number;
  now?: () => number;
}

/**
 * Calls counted per fixed window in the resilience table, shared by every instance: one atomic
 * `ADD` per call, items expire two windows later (TTL). Each owner (a system, a caller) has one
 * item per window, keyed by `kind`.
 */
class FixedWindowCounter {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #kind: ResilienceKeyKind<[windowStart: number]>;
  readonly limit: number;
  readonly windowMs: number;
  readonly now: () => number;

  constructor(options: CounterOptions, kind: ResilienceKeyKind<[windowStart: number]>) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#kind = kind;
    this.limit = options.requests;
    this.windowMs = options.perSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The start of the window `at` falls in. */
  windowOf(at: number): number {
    return at - (at % this.windowMs);
  }

  /**
   * Takes up to `count` calls of the current window at once; answers how many were granted (0 when
   * the window is spent) and how long until it ends.
   */
  async take(
    owner: string,
    count = 1,
  ): Promise<{ granted: number; windowStart: number; resetInMs: number }> {
    const now = this.now();
    const windowStart = this.windowOf(now);
    const result = await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: this.#kind.key(owner, windowStart) },
        UpdateExpression: 'ADD used :count SET #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':count': count, ':ttl': this.#expiry(windowStart) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const used = Number(result.Attributes?.used ?? 0);
    return {
      granted: Math.max(0, Math.min(count, this.limit - (used - count))),
      windowStart,
      resetInMs: windowStart + this.windowMs - now,
    };
  }

  /** The calls taken in the current window so far, by every instance. */
  async used(owner: string): Promise<number> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: this.#kind.key(owner, this.windowOf(this.now())) },
      }),
    );
    return Number(Item?.used ?? 0);
  }

  /** Raises a window's count to `used` (never lowers it: other instances' calls still count). */
  async raise(owner: string, windowStart: number, used: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: this.#kind.key(owner, windowStart) },
          UpdateExpression: 'SET used = :used, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(used) OR used < :used',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':used': used, ':ttl': this.#expiry(windowStart) },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  #expiry(windowStart: number): number {
    return Math.floor((windowStart + 2 * this.windowMs) / 1000);
  }
}

/**
 * An outbound rate budget per system, shared by every instance (e.g. HubSpot's 100 requests per
 * 10 s). An instance takes a few calls per round trip (a lease) and spends them locally. A call
 * over budget waits for the next window when that fits its deadline, else it gets 429 with
 * `retryAfterMs`. What the system says of its own limits (429 with `Retry-After`,
 * `X-RateLimit-Remaining`, `RateLimit-Remaining`) adjusts the budget for every instance.
 *
 * @example
 * await budget.acquire(deadlineAt);
 * await budget.observe(response.status, response.headers);
 */
export class SharedRateBudget {
  readonly #counter: FixedWindowCounter;
  readonly #system: string;
  readonly #name: string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onWait: ((systemId: string, waitMs: number) => void) | undefined;
  /** Calls taken from the shared budget in one round trip and spent here first. */
  readonly #leaseSize: number;
  #lease = { windowStart: -1, remaining: 0 };
  /** The lease the calls waiting for one share, while one of them takes it from the table. */
  #taking: Promise<void> | undefined;
  #refilling = false;
  /** Bumped when the system says the budget is spent: a refill under way then is void. */
  #spentEpoch = 0;
  readonly #background: Background;

  constructor(
    options: CounterOptions & {
      systemId: string;
      displayName: string;
      sleep?: (ms: number) => Promise<void>;
      /** Told each time a call waits for the next window (for the `BudgetWaits` metric). */
      onWait?: (systemId: string, waitMs: number) => void;
      /** Calls taken per round trip. @default requests / 20, between 1 and 50 */
      leaseSize?: number;
      /** Where leases are refilled ahead of need. @default the instance's background */
      background?: Background;
    },
  ) {
    this.#counter = new FixedWindowCounter(options, resilienceKeys.rate);
    this.#system = options.systemId;
    this.#name = options.displayName;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#onWait = options.onWait;
    this.#background = options.background ?? background;
    // A twentieth of the budget, at most 50: an instance holds back little of what others could use.
    this.#leaseSize =
      options.leaseSize ?? Math.max(1, Math.min(50, Math.floor(options.requests / 20)));
  }

  async acquire(deadlineAt: number): Promise<void> {
    for (;;) {
      const now = this.#counter.now();
      if (this.#lease.remaining > 0 && this.#lease.windowStart === this.#counter.windowOf(now)) {
        this.#lease.remaining--;
        this.#refillEarly();
        return;
      }
      // Calls that arrive together share the lease one of them is taking.
      if (this.#taking) {
        await this.#taking;
        continue;
      }
      const take = this.#counter.take(this.#system, this.#leaseSize);
      this.#taking = take.then(
        () => undefined,
        () => undefined,
      );
      let answer: Awaited<typeof take>;
      try {
        answer = await take;
      } finally {
        this.#taking = undefined;
      }
      const { granted, windowStart, resetInMs } = answer;
      if (granted > 0) {
        if (windowStart === this.#lease.windowStart) this.#lease.remaining += granted - 1;
        else this.#lease = { windowStart, remaining: granted - 1 };
        return;
      }
      if (this.#counter.now() + resetInMs + 50 >= deadlineAt) {
        const { limit, windowMs } = this.#counter;
        throw new RateLimitedError(
          `The gateway's budget for ${this.#name} (${limit} calls per ${windowMs / 1000} s) is used up. Try again in ${Math.ceil(resetInMs / 1000)} s.`,
          resetInMs,
        );
      }
      this.#onWait?.(this.#system, resetInMs);
      await this.#sleep(resetInMs);
    }
  }

  /** Once half of a lease of several calls is spent, takes the next one in the background. */
  #refillEarly(): void {
    if (this.#leaseSize < 2 || this.#refilling || this.#lease.remaining * 2 > this.#leaseSize)
      return;
    this.#refilling = true;
    const epoch = this.#spentEpoch;
    this.#background.run('rate budget lease', async () => {
      try {
        const { granted, windowStart } = await this.#counter.take(this.#system, this.#leaseSize);
        if (epoch !== this.#spentEpoch) return;
        if (windowStart === this.#lease.windowStart) this.#lease.remaining += granted;
        else if (granted > 0) this.#lease = { windowStart, remaining: granted };
      } finally {
        this.#refilling = false;
      }
    });
  }

  /**
   * The budget per second and how much of it the current window uses, per second (GET /systems).
   * Instances take calls a few at a time, so what is in use includes calls taken but not yet made.
   */
  async usage(): Promise<{ limitPerSecond: number; inUse: number }> {
    const { limit, windowMs } = this.#counter;
    const used = Math.min(limit, await this.#counter.used(this.#system));
    const perSecond = (count: number) => Math.round((count * 10_000) / windowMs) / 10;
    return { limitPerSecond: perSecond(limit), inUse: perSecond(used) };
  }

  /**
   * Adjusts the shared budget to what the system says: `X-RateLimit-Remaining` / `RateLimit-Remaining`
   * lower the calls left in the current window; a 429 (or nothing left) spends the window, and every
   * window that `Retry-After` covers.
   */
  async observe(status: number, headers: Headers): Promise<void> {
    const remainingHeader =
      headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
    const remaining = remainingHeader === null ? Number.NaN : Number(remainingHeader);
    const { limit, windowMs } = this.#counter;
    const now = this.#counter.now();
    const windowStart = this.#counter.windowOf(now);
    if (status === 429 || remaining === 0) {
      this.#lease = { windowStart: -1, remaining: 0 };
      this.#spentEpoch++;
      const retryAfterMs = parseRetryAfter(headers.get('retry-after')) ?? 0;
      const windows = Math.min(
        10,
        Math.max(1, Math.ceil((now + retryAfterMs - windowStart) / windowMs)),
      );
      for (let index = 0; index < windows; index++) {
        await this.#counter.raise(this.#system, windowStart + index * windowMs, limit);
      }
      return;
    }
    if (Number.isFinite(remaining) && remaining > 0 && remaining < limit) {
      await this.#counter.raise(this.#system, windowStart, limit - remaining);
    }
  }
}

/**
 * Inbound limit per user, shared by every instance: at most `requests` tool calls per `perSeconds`
 * for each caller, whatever the entry point (REST or MCP). Over the limit: 429 with
 * `retryAfterMs`. An instance remembers a refusal until the window ends, so a caller who keeps
 * calling costs no extra round trip.
 *
 * From 40 calls per window up, an instance leases a share of a caller's window (limit / 20,
 * at most 50) and admits from it without a round trip, taking the next share in the background
 * once half of the lease is spent; a lease only waits for the table at the start of a window or
 * when the background could not keep up. Smaller limits are counted one call at a time, awaited,
 * so they stay exact. A lease an instance does not spend is lost to the caller for that window.
 *
 * @example
 * await limits.admit(caller.sub);
 */
export class UserRateLimit {
  readonly #counter: FixedWindowCounter;
  readonly #background: Background;
  /** Calls taken per round trip: 1 (exact) under 40 calls per window. */
  readonly leaseSize: number;
  /** Callers this instance saw over the limit → when their window ends (epoch ms). */
  readonly #refusedUntil = new Map<string, number>();
  /** The lease each caller's waiting calls share while one of them takes it from the table. */
  readonly #taking = new Map<string, Promise<void>>();
  /** Each caller's lease of the current window, and whether a refill is under way. */
  readonly #leases = new Map<
    string,
    { windowStart: number; remaining: number; refilling: boolean }
  >();

  constructor(options: CounterOptions & { background?: Background; leaseSize?: number }) {
    this.#counter = new FixedWindowCounter(options, resilienceKeys.userLimit);
    this.#background = options.background ?? background;
    this.leaseSize =
      options.leaseSize ??
      (options.requests < 40 ? 1 : Math.max(1, Math.min(50, Math.floor(options.requests / 20))));
  }

  async admit(sub: string): Promise<void> {
    let now = this.#counter.now();
    const until = this.#refusedUntil.get(sub);
    if (until !== undefined && until > now) this.#refuse(until - now);
    if (until !== undefined) this.#refusedUntil.delete(sub);
    if (this.leaseSize > 1) {
      // Calls of one caller that arrive together share the lease one of them is taking, instead
      // of each taking a lease of its own and spending the caller's window many times over.
      for (;;) {
        if (this.#spendLease(sub, now)) return;
        const taking = this.#taking.get(sub);
        if (!taking) break;
        await taking;
        now = this.#counter.now();
        const refused = this.#refusedUntil.get(sub);
        if (refused !== undefined && refused > now) this.#refuse(refused - now);
      }
    }
    const take = this.#counter.take(sub, this.leaseSize);
    if (this.leaseSize > 1)
      this.#taking.set(
        sub,
        take.then(
          () => undefined,
          () => undefined,
        ),
      );
    try {
      const { granted, windowStart, resetInMs } = await take;
      if (granted > 0) {
        if (this.leaseSize > 1) this.#addLease(sub, windowStart, granted - 1);
        return;
      }
      this.#refusedUntil.set(sub, now + resetInMs);
      this.#refuse(resetInMs);
    } finally {
      this.#taking.delete(sub);
    }
  }

  /** Admits from the caller's lease, if it has a call left in this window; refills it early. */
  #spendLease(sub: string, now: number): boolean {
    const lease = this.#leases.get(sub);
    if (!lease || lease.windowStart !== this.#counter.windowOf(now) || lease.remaining === 0)
      return false;
    lease.remaining--;
    if (lease.remaining * 2 <= this.leaseSize && !lease.refilling) {
      lease.refilling = true;
      this.#background.run('user rate limit lease', async () => {
        try {
          const { granted, windowStart } = await this.#counter.take(sub, this.leaseSize);
          this.#addLease(sub, windowStart, granted);
        } finally {
          lease.refilling = false;
        }
      });
    }
    return true;
  }

  #addLease(sub: string, windowStart: number, calls: number): void {
    const lease = this.#leases.get(sub);
    if (lease && lease.windowStart === windowStart) {
      lease.remaining += calls;
      return;
    }
    if (this.#leases.size >= 10_000) {
      // Leases of past windows are worth nothing: drop them before holding more callers.
      for (const [owner, old] of this.#leases)
        if (old.windowStart < windowStart) this.#leases.delete(owner);
    }
    this.#leases.set(sub, { windowStart, remaining: calls, refilling: false });
  }

  #refuse(waitMs: number): never {
    const { limit, windowMs } = this.#counter;
    throw new RateLimitedError(
      `You have used your ${limit} tool calls per ${windowMs / 1000} s. Try again in ${Math.ceil(waitMs / 1000)} s.`,
      waitMs,
    );
  }
}
