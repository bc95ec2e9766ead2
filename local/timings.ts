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

  get enabled(): boolean {
    return this.#enabled;
  }

  enable(): void {
    this.#enabled = true;
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

  /** What was recorded since the last take, and forgets it. */
  take(): { gateway: GatewayTiming[]; dynamodbMs: number[] } {
    const taken = { gateway: this.#gateway, dynamodbMs: this.#dynamodbMs };
    this.#gateway = [];
    this.#dynamodbMs = [];
    return taken;
  }
}

/** The recorder of this process: local mode's gateway and emulators report to it. */
export const localTimings = new LocalTimings();
