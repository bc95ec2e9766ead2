import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UpstreamUnavailableError } from '../errors/index.ts';
import { resilienceKeys } from './keys.ts';

export type SwitchKind = 'system' | 'tool';

export interface KillSwitch {
  kind: SwitchKind;
  name: string;
  enabled: boolean;
  reason: string;
  changedBy: string;
  changedAt: string;
}

/**
 * Run-time switches that disable a system or a tool without a deploy. Every instance re-reads
 * them at most every `cacheMs` (default 5 s), so a change takes effect everywhere within that.
 * All switches are attributes of one item (one per system and tool at most, far below the 400 KB
 * item limit): reading them costs one GetItem however large the table grows, where a filtered
 * Scan would read the whole table and miss what lies past its first page.
 *
 * @example
 * await switches.assertEnabled(tool); // throws 503 when the tool or one of its systems is off
 */
export class KillSwitches {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #cached: { at: number; off: Map<string, KillSwitch> } | undefined;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    cacheMs?: number;
    now?: () => number;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#cacheMs = options.cacheMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  async list(): Promise<KillSwitch[]> {
    const { Item = {} } = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: resilienceKeys.switches.key() },
        ConsistentRead: true,
      }),
    );
    return Object.entries(Item)
      .filter(([attribute]) => attribute !== 'pk')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, value]) => value as KillSwitch);
  }

  async set(change: KillSwitch): Promise<void> {
    // One attribute per switch: concurrent changes of different switches never overwrite each other.
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: resilienceKeys.switches.key() },
        UpdateExpression: 'SET #switch = :change',
        ExpressionAttributeNames: { '#switch': `${change.kind}#${change.name}` },
        ExpressionAttributeValues: { ':change': change },
      }),
    );
    this.#cached = undefined;
  }

  /** Throws a 503 naming what is switched off, for a tool and its systems. */
  async assertEnabled(tool: { name: string; systems: readonly string[] }): Promise<void> {
    const off = await this.#off();
    const blocked = [
      off.get(`tool#${tool.name}`),
      ...tool.systems.map((system) => off.get(`system#${system}`)),
    ].find(Boolean);
    if (blocked) {
      throw new UpstreamUnavailableError(
        `${blocked.kind === 'tool' ? `The tool ${blocked.name}` : `The system ${blocked.name}`} is switched off by an administrator${blocked.reason ? ` (${blocked.reason})` : ''}. Tell the user it is unavailable for now; do not retry right away.`,
        { retryAfterMs: 60_000 },
      );
    }
  }

  async #off(): Promise<Map<string, KillSwitch>> {
    const now = this.#now();
    if (this.#cached && now - this.#cached.at < this.#cacheMs) return this.#cached.off;
    const off = new Map(
      (await this.list())
        .filter((item) => !item.enabled)
        .map((item) => [`${item.kind}#${item.name}`, item]),
    );
    this.#cached = { at: now, off };
    return off;
  }
}
