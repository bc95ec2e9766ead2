import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Background, background } from './background.ts';
import { resilienceKeys } from './keys.ts';

export interface CacheEntry {
  value: unknown;
  storedAt: number;
  /** After this the entry is stale: served only when the system is down. */
  freshUntil: number;
}

export interface CacheLookup {
  entry: CacheEntry | undefined;
  fresh: boolean;
}

/**
 * Cache of reference data (tools that declare `cache: { ttlSeconds }`): a per-instance memory
 * layer in front of a DynamoDB layer every instance shares. Entries outlive their freshness by
 * `staleSeconds` so that stale data can be served, with a note, while the system is down.
 * Invalidation bumps a generation per tool: an instance re-reads a tool's generation in the
 * background once it is `generationCacheMs` old and waits for it only past `generationMaxStaleMs`,
 * so every instance misses within that. Entries are written in the background.
 *
 * @example
 * const hit = await cache.get('get_product_catalog', key);
 * await cache.set('get_product_catalog', key, data, 300);
 * await cache.invalidate('get_product_catalog');
 */
export class ResponseCache {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;
  readonly #staleMs: number;
  readonly #memory = new Map<string, CacheEntry>();
  readonly #generations = new Map<string, { at: number; value: number; refreshing?: boolean }>();
  readonly #generationCacheMs: number;
  readonly #generationMaxStaleMs: number;
  readonly #background: Background;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    staleSeconds?: number;
    /** @default 1000 */
    generationCacheMs?: number;
    /** The oldest generation a lookup uses; past it, it waits for a read. @default 5000 */
    generationMaxStaleMs?: number;
    now?: () => number;
    /** Where entry writes and generation re-reads run. @default the instance's background */
    background?: Background;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? Date.now;
    this.#staleMs = (options.staleSeconds ?? 86_400) * 1000;
    this.#generationCacheMs = options.generationCacheMs ?? 1_000;
    this.#generationMaxStaleMs = Math.max(
      this.#generationCacheMs,
      options.generationMaxStaleMs ?? 5_000,
    );
    this.#background = options.background ?? background;
  }

  async get(tool: string, key: string): Promise<CacheLookup> {
    const pk = await this.#key(tool, key);
    const now = this.#now();
    let entry = this.#memory.get(pk);
    if (!entry || entry.freshUntil <= now) {
      const { Item } = await this.#client.send(
        new GetCommand({ TableName: this.#table, Key: { pk } }),
      );
      if (Item) {
        entry = {
          value: JSON.parse(String(Item.value)),
          storedAt: Number(Item.storedAt),
          freshUntil: Number(Item.freshUntil),
        };
        this.#memory.set(pk, entry);
      }
    }
    if (entry && entry.storedAt + this.#staleMs < now) entry = undefined;
    return { entry, fresh: Boolean(entry && entry.freshUntil > now) };
  }

  /** Keeps the answer in this instance at once and writes it for the others in the background. */
  async set(tool: string, key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const pk = await this.#key(tool, key);
    const now = this.#now();
    const entry: CacheEntry = { value, storedAt: now, freshUntil: now + ttlSeconds * 1000 };
    this.#memory.set(pk, entry);
    this.#background.run('cache entry write', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk,
            value: JSON.stringify(value),
            storedAt: now,
            freshUntil: entry.freshUntil,
            ttl: Math.floor((now + this.#staleMs) / 1000),
          },
        }),
      ),
    );
  }

  /** Makes every cached answer of a tool a miss, in every instance within the generation cache time. */
  async invalidate(tool: string): Promise<number> {
    const result = await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: resilienceKeys.cacheGeneration.key(tool) },
        UpdateExpression: 'ADD generation :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const generation = Number(result.Attributes?.generation ?? 0);
    this.#generations.set(tool, { at: this.#now(), value: generation });
    return generation;
  }

  async #key(tool: string, key: string): Promise<string> {
    const age = (at: number) => this.#now() - at;
    const known = this.#generations.get(tool);
    let generation = known?.value;
    if (!known || age(known.at) >= this.#generationMaxStaleMs) {
      generation = await this.#readGeneration(tool);
    } else if (age(known.at) >= this.#generationCacheMs && !known.refreshing) {
      known.refreshing = true;
      this.#background.run('cache generation refresh', () => this.#readGeneration(tool));
    }
    return resilienceKeys.cache.key(tool, generation ?? 0, key);
  }

  async #readGeneration(tool: string): Promise<number> {
    const at = this.#now();
    try {
      const { Item } = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: { pk: resilienceKeys.cacheGeneration.key(tool) },
        }),
      );
      const value = Number(Item?.generation ?? 0);
      const known = this.#generations.get(tool);
      // An invalidation by this instance meanwhile knows better (generations only grow).
      if (!known || known.value <= value) this.#generations.set(tool, { at, value });
      return Math.max(value, known?.value ?? 0);
    } finally {
      const known = this.#generations.get(tool);
      if (known) known.refreshing = false;
    }
  }
}
