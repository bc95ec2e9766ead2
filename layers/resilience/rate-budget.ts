import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimitedError } from '../errors/index.ts';
import { parseRetryAfter } from '../http-util/retry-after.ts';
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
  /** Calls taken from the shared budget in one round trip and spent here first. */
  readonly #leaseSize: number;
  #lease = { windowStart: -1, remaining: 0 };

  constructor(
    options: CounterOptions & {
      systemId: string;
      displayName: string;
      sleep?: (ms: number) => Promise<void>;
      /** Calls taken per round trip. @default requests / 20, between 1 and 50 */
      leaseSize?: number;
    },
  ) {
    this.#counter = new FixedWindowCounter(options, resilienceKeys.rate);
    this.#system = options.systemId;
    this.#name = options.displayName;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    // A twentieth of the budget, at most 50: an instance holds back little of what others could use.
    this.#leaseSize =
      options.leaseSize ?? Math.max(1, Math.min(50, Math.floor(options.requests / 20)));
  }

  async acquire(deadlineAt: number): Promise<void> {
    for (;;) {
      const now = this.#counter.now();
      if (this.#lease.remaining > 0 && this.#lease.windowStart === this.#counter.windowOf(now)) {
        this.#lease.remaining--;
        return;
      }
      const { granted, windowStart, resetInMs } = await this.#counter.take(
        this.#system,
        this.#leaseSize,
      );
      if (granted > 0) {
        this.#lease = { windowStart, remaining: granted - 1 };
        return;
      }
      if (this.#counter.now() + resetInMs + 50 >= deadlineAt) {
        const { limit, windowMs } = this.#counter;
        throw new RateLimitedError(
          `The gateway's budget for ${this.#name} (${limit} calls per ${windowMs / 1000} s) is used up. Try again in ${Math.ceil(resetInMs / 1000)} s.`,
          resetInMs,
        );
      }
      await this.#sleep(resetInMs);
    }
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
 * @example
 * await limits.admit(caller.sub);
 */
export class UserRateLimit {
  readonly #counter: FixedWindowCounter;
  /** Callers this instance saw over the limit → when their window ends (epoch ms). */
  readonly #refusedUntil = new Map<string, number>();

  constructor(options: CounterOptions) {
    this.#counter = new FixedWindowCounter(options, resilienceKeys.userLimit);
  }

  async admit(sub: string): Promise<void> {
    const now = this.#counter.now();
    const until = this.#refusedUntil.get(sub);
    if (until !== undefined && until > now) this.#refuse(until - now);
    if (until !== undefined) this.#refusedUntil.delete(sub);
    const { granted, resetInMs } = await this.#counter.take(sub);
    if (granted > 0) return;
    this.#refusedUntil.set(sub, now + resetInMs);
    this.#refuse(resetInMs);
  }

  #refuse(waitMs: number): never {
    const { limit, windowMs } = this.#counter;
    throw new RateLimitedError(
      `You have used your ${limit} tool calls per ${windowMs / 1000} s. Try again in ${Math.ceil(waitMs / 1000)} s.`,
      waitMs,
    );
  }
}
