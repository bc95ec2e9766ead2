/**
 * One kind of item in the resilience table. Its partition key is `<prefix>#<owner>`, then the rest
 * for kinds with many items per owner; the owner is the system, tool or caller the item belongs to.
 */
export interface ResilienceKeyKind<Rest extends readonly (string | number)[]> {
  readonly prefix: string;
  /** The partition key of one item. */
  key(owner: string, ...rest: Rest): string;
  /** The `dynamodb:LeadingKeys` pattern (IAM `StringLike`) of every item `owner` owns. */
  pattern(owner: string): string;
  /** The pattern of this kind's items, whoever owns them (a caller's counters: every caller). */
  everyOwner(): string;
}

function kind<Rest extends readonly (string | number)[]>(
  prefix: string,
  shape: 'one per owner' | 'many per owner',
): ResilienceKeyKind<Rest> {
  const many = shape === 'many per owner';
  return {
    prefix,
    key: (owner, ...rest) => [prefix, owner, ...rest].join('#'),
    pattern(owner) {
      // In a pattern `*` and `?` are wildcards and `#` ends the owner: an owner with them would
      // reach other owners' items. Tool names and system ids never have them.
      if (!/^[A-Za-z0-9_.:@-]+$/.test(owner))
        throw new Error(`"${owner}" cannot own items in the resilience table`);
      return `${prefix}#${owner}${many ? '#*' : ''}`;
    },
    everyOwner: () => `${prefix}#*`,
  };
}

/**
 * The layout of the resilience table, in one place: the runtime builds its keys here and the CDK
 * app builds each function's `dynamodb:LeadingKeys` conditions here (infra/constructs/
 * resilience-access.ts), so a function may touch only the items it owns and the two cannot drift.
 * No prefix is a prefix of another's `<prefix>#`, and no kind is ever scanned.
 *
 * @example
 * resilienceKeys.cache.key('get_product_catalog', 3, digest); // 'cache#get_product_catalog#3#<digest>'
 * resilienceKeys.cache.pattern('get_product_catalog');        // 'cache#get_product_catalog#*'
 */
export const resilienceKeys = {
  /** Every kill switch, as attributes of one item: one read whatever else the table holds. */
  switches: { key: () => 'switches', pattern: () => 'switches' },
  /** A system's circuit breaker, shared by every instance. */
  breaker: kind<[]>('breaker', 'one per owner'),
  /** A system's outbound rate budget, one counter per window. */
  rate: kind<[windowStart: number]>('rate', 'many per owner'),
  /** A caller's inbound limit (USER_RATE_LIMIT), one counter per window. */
  userLimit: kind<[windowStart: number]>('user', 'many per owner'),
  /** A cached tool's generation: invalidating its cache bumps it. */
  cacheGeneration: kind<[]>('cachegen', 'one per owner'),
  /** A tool's cached answers, conversation prefetches included. */
  cache: kind<[generation: number, key: string]>('cache', 'many per owner'),
  /** Conversation prefetches of a tool claimed by some instance: each starts once. */
  prefetchClaim: kind<[key: string]>('claim', 'many per owner'),
  /** A system's call metrics (calls, errors, latency buckets), one item per hour, an attribute set per minute. */
  metrics: kind<[hourStart: number]>('metrics', 'many per owner'),
} as const;
