import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UpstreamUnavailableError } from '../errors/index.ts';
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
  /** How long an instance trusts the state it last read. @default 1000 */
  cacheMs: number;
}

export const defaultBreakerPolicy: BreakerPolicy = {
  failureRate: 0.5,
  minimumCalls: 10,
  windowMs: 30_000,
  coolDownMs: 30_000,
  halfOpenProbes: 1,
  cacheMs: 1_000,
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

/**
 * A circuit breaker per system whose state every function instance shares through DynamoDB. The
 * state is read through a short per-instance cache, so while the breaker is closed a call costs no
 * extra round trip to check it; outcomes are counted in a tumbling window with atomic `ADD`s
 * (failures at once, successes batched).
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
  #cached: { at: number; value: StoredBreaker } | undefined;
  #pendingOk = 0;
  #lastFlush = 0;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    systemId: string;
    displayName: string;
    policy?: Partial<BreakerPolicy>;
    now?: () => number;
    onOpen?: (systemId: string) => void;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#systemId = options.systemId;
    this.#key = resilienceKeys.breaker.key(options.systemId);
    this.#name = options.displayName;
    this.#policy = { ...defaultBreakerPolicy, ...options.policy };
    this.#now = options.now ?? Date.now;
    this.#onOpen = options.onOpen;
  }

  /** Fails fast while open; lets a bounded number of probes through once the cool-down is over. */
  async beforeCall(): Promise<void> {
    const state = await this.#read(false);
    if (state.state === 'closed') return;
    const now = this.#now();
    const reopensAt = state.openedAt + this.#policy.coolDownMs;
    if (now < reopensAt) throw this.#openError(reopensAt - now);
    // Cool-down over: claim one of the half-open probe slots, or fail fast.
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: this.#key },
          UpdateExpression: 'SET #state = :half ADD probes :one',
          ConditionExpression:
            'openedAt = :openedAt AND (attribute_not_exists(probes) OR probes < :limit)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':half': 'half_open',
            ':one': 1,
            ':openedAt': state.openedAt,
            ':limit': this.#policy.halfOpenProbes,
          },
        }),
      );
      // This instance holds a probe: its outcome closes or reopens the breaker.
      this.#cached = { at: now, value: { ...state, state: 'half_open' } };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw this.#openError(this.#policy.coolDownMs / 2);
    }
  }

  /**
   * The state every instance shares, read now (GET /systems). An open breaker whose cool-down is
   * over lets the next call through as a probe: it is reported `half_open`.
   */
  async status(): Promise<{ state: BreakerState; openedAt?: number; retryAt?: number }> {
    const stored = await this.#read(true);
    if (stored.state === 'closed') return { state: 'closed' };
    const retryAt = stored.openedAt + this.#policy.coolDownMs;
    const state = stored.state === 'open' && this.#now() >= retryAt ? 'half_open' : stored.state;
    return { state, openedAt: stored.openedAt, retryAt };
  }

  /** Counts the outcome; opens on too many failures, closes after a successful probe. */
  async afterCall(success: boolean): Promise<void> {
    const state = this.#cached?.value;
    if (success) {
      if (state && state.state !== 'closed') {
        await this.#close();
        return;
      }
      this.#pendingOk++;
      if (this.#now() - this.#lastFlush < this.#policy.cacheMs) return;
      await this.#flush(0);
      return;
    }
    if (state && state.state !== 'closed') {
      await this.#open();
      return;
    }
    await this.#flush(1);
  }

  async #flush(failures: number): Promise<void> {
    const ok = this.#pendingOk;
    this.#pendingOk = 0;
    this.#lastFlush = this.#now();
    const now = this.#now();
    const windowStart = now - (now % this.#policy.windowMs);
    let counts: StoredBreaker;
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: this.#key },
          UpdateExpression: 'ADD okCount :ok, failCount :fail',
          ConditionExpression: 'windowStart = :window',
          ExpressionAttributeValues: { ':ok': ok, ':fail': failures, ':window': windowStart },
          ReturnValues: 'ALL_NEW',
        }),
      );
      counts = result.Attributes as StoredBreaker;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
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
            ':fail': failures,
            ':closed': 'closed',
            ':zero': 0,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      counts = result.Attributes as StoredBreaker;
    }
    this.#cached = { at: this.#now(), value: counts };
    const total = counts.okCount + counts.failCount;
    if (
      counts.state === 'closed' &&
      total >= this.#policy.minimumCalls &&
      counts.failCount / total >= this.#policy.failureRate
    ) {
      await this.#open();
    }
  }

  async #open(): Promise<void> {
    const now = this.#now();
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: this.#key },
        UpdateExpression: 'SET #state = :open, openedAt = :now, probes = :zero',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':open': 'open', ':now': now, ':zero': 0 },
      }),
    );
    this.#cached = undefined;
    this.#onOpen?.(this.#systemId);
  }

  async #close(): Promise<void> {
    const now = this.#now();
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: this.#key },
        UpdateExpression:
          'SET #state = :closed, probes = :zero, windowStart = :window, okCount = :zero, failCount = :zero',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':closed': 'closed',
          ':zero': 0,
          ':window': now - (now % this.#policy.windowMs),
        },
      }),
    );
    this.#cached = undefined;
  }

  async #read(force: boolean): Promise<StoredBreaker> {
    const now = this.#now();
    if (!force && this.#cached && now - this.#cached.at < this.#policy.cacheMs)
      return this.#cached.value;
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
    this.#cached = { at: now, value };
    return value;
  }

  #openError(retryAfterMs: number): UpstreamUnavailableError {
    return new UpstreamUnavailableError(
      `${this.#name} is failing, so the gateway stopped calling it for a moment (circuit open). Try again in ${Math.ceil(retryAfterMs / 1000)} s, or tell the user the system is temporarily unavailable.`,
      { retryAfterMs: Math.ceil(retryAfterMs) },
    );
  }
}
