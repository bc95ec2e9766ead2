/** One request through the local API Gateway: its time in the stand-in and in the handler. */
export interface GatewayTiming {
  /** From the request's arrival at the local gateway to the end of its answer. */
  readonly totalMs: number;
  /** The Lambda handler alone (what AWS bills as the function's duration). */
  readonly handlerMs: number;
}

/**
 * Where local mode's own stand-ins spend a request's time: the local API Gateway and the DynamoDB
 * emulator. Off by default (a disabled recorder stores nothing); the bench turns it on to print
 * the local-only share apart from the figures that carry over to AWS.
 *
 * @example
 * localTimings.enable();
 * // … calls …
 * const { gateway, dynamodbMs } = localTimings.take();
 * localTimings.disable();
 */
export class LocalTimings {
  #enabled = false;
  #gateway: GatewayTiming[] = [];
  #dynamodbMs: number[] = [];
  /** The emulator's running total of ms spent serving (its thread keeps it), and where it stood. */
  #dynamodbClock: (() => number) | undefined;
  #dynamodbFrom = 0;

  get enabled(): boolean {
    return this.#enabled;
  }

  enable(): void {
    this.#enabled = true;
    this.#dynamodbFrom = this.#dynamodbClock?.() ?? 0;
  }

  disable(): void {
    this.#enabled = false;
    this.take();
  }

  recordGateway(timing: GatewayTiming): void {
    if (this.#enabled) this.#gateway.push(timing);
  }

  /** One DynamoDB request served by the emulator, from its arrival to the end of its answer. */
  recordDynamodb(ms: number): void {
    if (this.#enabled) this.#dynamodbMs.push(ms);
  }

  /**
   * The DynamoDB emulator keeps its own running total of ms spent serving (in its thread): while
   * enabled, what it adds is recorded as one figure per take. `undefined` stops watching.
   */
  watchDynamodb(clock: (() => number) | undefined): void {
    this.#dynamodbClock = clock;
    this.#dynamodbFrom = clock?.() ?? 0;
  }

  /** What was recorded since the last take, and forgets it. */
  take(): { gateway: GatewayTiming[]; dynamodbMs: number[] } {
    if (this.#enabled && this.#dynamodbClock) {
      const now = this.#dynamodbClock();
      if (now > this.#dynamodbFrom) this.#dynamodbMs.push(now - this.#dynamodbFrom);
      this.#dynamodbFrom = now;
    }
    const taken = { gateway: this.#gateway, dynamodbMs: this.#dynamodbMs };
    this.#gateway = [];
    this.#dynamodbMs = [];
    return taken;
  }
}

/** The recorder of this process: local mode's gateway and emulators report to it. */
export const localTimings = new LocalTimings();
