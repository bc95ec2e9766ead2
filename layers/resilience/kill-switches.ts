import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UpstreamUnavailableError } from '../errors/index.ts';
import { type Background, background } from './background.ts';
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
 * Run-time switches that disable a system or a tool without a deploy. An instance decides from
 * the switches it last read: once they are a third of `maxStaleMs` old it re-reads them in the
 * background, and it never decides from a read older than `maxStaleMs` (default 15 s; past it a
 * call waits for the read), so a change takes effect everywhere within `maxStaleMs`.
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
  readonly #maxStaleMs: number;
  readonly #now: () => number;
  readonly #background: Background;
  #cached: { at: number; off: Map<string, KillSwitch> } | undefined;
  #refreshing = false;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    /** The oldest read a call is decided from. @default 15000 */
    maxStaleMs?: number;
    now?: () => number;
    /** Where re-reads run. @default the instance's background */
    background?: Background;
  }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#maxStaleMs = options.maxStaleMs ?? 15_000;
    this.#now = options.now ?? Date.now;
    this.#background = options.background ?? background;
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
    const cached = this.#cached;
    const age = cached ? this.#now() - cached.at : Number.POSITIVE_INFINITY;
    if (cached && age < this.#maxStaleMs / 3) return cached.off;
    if (cached && age < this.#maxStaleMs) {
      if (!this.#refreshing) {
        this.#refreshing = true;
        this.#background.run('kill switches refresh', () =>
          this.#read().finally(() => {
            this.#refreshing = false;
          }),
        );
      }
      return cached.off;
    }
    return this.#read();
  }

  async #read(): Promise<Map<string, KillSwitch>> {
    // Staleness counts from before the read: what it answers is at least that recent.
    const at = this.#now();
    const off = new Map(
      (await this.list())
        .filter((item) => !item.enabled)
        .map((item) => [`${item.kind}#${item.name}`, item]),
    );
    this.#cached = { at, off };
    return off;
  }
}
