import type { Policy } from '../auth/policy.ts';

/**
 * Where a running gateway gets its policy: the last good one, answered at once. A new policy that
 * validates replaces it without a restart; one that does not is refused and the last good stays.
 */
export interface PolicySource {
  current(): Policy;
}

/** A policy a source took up: the first one it loaded (`previousVersion` absent) or a change. */
export interface PolicyChange {
  readonly version: string;
  readonly previousVersion?: string;
  /** Where it came from: the file's path, or `appconfig:<application>/<environment>/<profile>`. */
  readonly source: string;
  readonly at: Date;
}

/** What a source tells about the policies it takes up and the updates it refuses. */
export interface PolicyListener {
  taken?(change: PolicyChange): void;
  refused?(problem: { source: string; message: string; keptVersion: string | undefined }): void;
}

/**
 * The last good policy of a source, and the rule for an update: one that validates (`load` returns
 * it) replaces it and is told to `listener.taken`, an equal version changes nothing, one that does
 * not validate (`load` throws) is refused and told to `listener.refused`, and the last good stays.
 *
 * @example
 * const holder = new PolicyHolder(listener);
 * holder.offer('infra/policy/policy.yaml', () => loadPolicyFile(file).policy);
 */
export class PolicyHolder implements PolicySource {
  #policy: Policy | undefined;
  readonly #listener: PolicyListener;
  readonly #now: () => Date;

  constructor(listener: PolicyListener = {}, now: () => Date = () => new Date()) {
    this.#listener = listener;
    this.#now = now;
  }

  /** Whether a policy has been loaded yet. */
  get loaded(): boolean {
    return this.#policy !== undefined;
  }

  current(): Policy {
    if (!this.#policy) throw new Error('No policy has been loaded yet.');
    return this.#policy;
  }

  /** Takes the policy `load` makes, or refuses it; returns whether it is now the current one. */
  offer(source: string, load: () => Policy): boolean {
    const previous = this.#policy;
    let next: Policy;
    try {
      next = load();
    } catch (error) {
      this.#listener.refused?.({
        source,
        message: (error as Error).message,
        keptVersion: previous?.version,
      });
      return false;
    }
    if (previous?.version === next.version) return true;
    this.#policy = next;
    this.#listener.taken?.({
      version: next.version,
      ...(previous ? { previousVersion: previous.version } : {}),
      source,
      at: this.#now(),
    });
    return true;
  }
}

/** A source that never changes (tests, tools). */
export const fixedPolicySource = (policy: Policy): PolicySource => ({ current: () => policy });

const SNAPSHOT = Symbol('policy snapshot');

/**
 * The source's current policy wherever a `Policy` is expected: each property read answers from
 * the policy current at that moment, so the parts built at cold start follow every change. Caches
 * keyed by a policy object (field rules) key on `snapshotOf(policy)`.
 *
 * @example
 * const policy = livePolicy(source); // policy.version is always source.current().version
 */
export function livePolicy(source: PolicySource): Policy {
  return new Proxy({} as Policy, {
    get: (_target, key) =>
      key === SNAPSHOT ? source.current() : Reflect.get(source.current(), key),
    has: (_target, key) => Reflect.has(source.current(), key),
    ownKeys: () => Reflect.ownKeys(source.current()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(source.current(), key);
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}

/** The policy object a live view answers from right now; any other policy is itself. */
export function snapshotOf(policy: Policy): Policy {
  return (policy as Policy & { [SNAPSHOT]?: Policy })[SNAPSHOT] ?? policy;
}
