/** SQS's longest visibility timeout: a message cannot be hidden for longer than 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Receives of a write message beyond its waiting schedule before it goes to the dead-letter
 * queue: a worker that crashes or times out on it (a poison message) gets these, each after the
 * queue's visibility timeout.
 */
export const POISON_RECEIVES = 5;

/** How a confirmed write waits in the queue for its system (WRITE_WAIT_* settings). */
export interface WaitPolicy {
  /** How long after confirmation the write keeps waiting before it is given up. */
  readonly windowSeconds: number;
  /** The first pause; each later one doubles, up to SQS's 12 h and the end of the window. */
  readonly firstDelaySeconds: number;
}

/**
 * The pause before a waiting write is tried again, or `undefined` when its window is over and it
 * must be given up. The last pause ends at the window's end, so a write is given up on time.
 *
 * @example
 * nextWaitSeconds(1, 0, { windowSeconds: 86_400, firstDelaySeconds: 30 }); // 30
 * nextWaitSeconds(3, 90, { windowSeconds: 86_400, firstDelaySeconds: 30 }); // 120
 */
export function nextWaitSeconds(
  receiveCount: number,
  waitedSeconds: number,
  policy: WaitPolicy,
): number | undefined {
  const remaining = policy.windowSeconds - waitedSeconds;
  if (remaining <= 0) return undefined;
  const doubled = policy.firstDelaySeconds * 2 ** Math.max(0, receiveCount - 1);
  return Math.max(1, Math.ceil(Math.min(doubled, MAX_VISIBILITY_SECONDS, remaining)));
}

/**
 * The write queue's maxReceiveCount for a policy: every receive of a write that waits out its
 * whole window on schedule, the one that gives it up, and `POISON_RECEIVES` to spare, so the
 * dead-letter queue only ever holds messages the worker could not handle, never waiting ones.
 *
 * @example
 * writeQueueMaxReceiveCount({ windowSeconds: 86_400, firstDelaySeconds: 30 }); // 18
 */
export function writeQueueMaxReceiveCount(policy: WaitPolicy): number {
  let receives = 1;
  let waited = 0;
  for (;;) {
    const pause = nextWaitSeconds(receives, waited, policy);
    if (pause === undefined) return receives + POISON_RECEIVES;
    waited += pause;
    receives += 1;
  }
}
