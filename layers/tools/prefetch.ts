import type { Caller } from '../auth/caller.ts';
import { inputDigest } from '../digest/input-digest.ts';
import type { ToolLogger } from '../observability/tool-logger.ts';
import type { AnyReadTool } from './define.ts';

/**
 * The conversation-start prefetch: the tool most conversations begin with, and the input field
 * whose presence in an earlier call starts it. The CDK app wires the prefetch queue and grants
 * from the same two names.
 */
export const conversationPrefetchOf = {
  tool: 'get_customer_context',
  trigger: 'customerId',
} as const;

/** What a conversation-start prefetch runs: the prefetch tool, for this caller and conversation. */
export interface PrefetchRequest {
  conversationId: string;
  caller: Caller;
  /** Validated input of the prefetch tool, e.g. `{ customerId, ordersLimit, ... }`. */
  input: unknown;
}

/** Starts a prefetch without waiting for it: a message on the prefetch queue, for the prefetch function. */
export type PrefetchLauncher = (request: PrefetchRequest) => Promise<void>;

export interface ConversationPrefetchOptions {
  /** The tool most conversations begin with, e.g. get_customer_context. */
  tool: AnyReadTool;
  /** The input field that names the entity, e.g. `customerId`: a call carrying it starts the prefetch. */
  trigger: string;
  /** Whether the caller may use the prefetch tool at all. */
  allowed(caller: Caller): boolean;
  /** Claims a prefetch for every instance (a conditional write): false when it was already claimed. */
  claim(key: string): Promise<boolean>;
  launch: PrefetchLauncher;
  logger: Pick<ToolLogger, 'warn'>;
  /** How long a prefetched answer serves the conversation. @default 300 */
  ttlSeconds?: number;
}

/**
 * Conversation-start prefetch: the first call of a conversation (`X-Conversation-Id`) that names a
 * customer starts the customer context in the background, so that the agent's
 * `get_customer_context` a moment later is answered from it. Each caller's prefetches are their
 * own: the key holds the caller, the conversation and the digest of the tool input.
 *
 * @example
 * await prefetch.start({ conversationId, caller }, getCustomer, { customerId: 'C-00001' });
 * const key = prefetch.keyOf(caller, conversationId, contextInput); // where the answer is cached
 */
export class ConversationPrefetch {
  readonly tool: AnyReadTool;
  readonly ttlSeconds: number;
  readonly #options: ConversationPrefetchOptions;
  /** Keys this instance already started or saw claimed: no second round trip. */
  readonly #seen = new Set<string>();

  constructor(options: ConversationPrefetchOptions) {
    this.tool = options.tool;
    this.ttlSeconds = options.ttlSeconds ?? 300;
    this.#options = options;
  }

  keyOf(caller: Caller, conversationId: string, toolInput: unknown): string {
    return `prefetch:${caller.sub}:${conversationId}:${inputDigest(toolInput)}`;
  }

  /**
   * Starts the prefetch when `input` names the entity and this conversation has not prefetched it
   * yet. Never throws: a prefetch that cannot start only costs the agent the live call later.
   */
  async start(
    call: { conversationId?: string | undefined; caller: Caller },
    tool: { name: string },
    input: unknown,
  ): Promise<void> {
    const { conversationId, caller } = call;
    if (!conversationId || tool.name === this.tool.name) return;
    const entity = (input as Record<string, unknown> | undefined)?.[this.#options.trigger];
    if (typeof entity !== 'string' || !this.#options.allowed(caller)) return;
    const parsed = this.tool.input.safeParse({ [this.#options.trigger]: entity });
    if (!parsed.success) return;
    const key = this.keyOf(caller, conversationId, parsed.data);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    try {
      if (await this.#options.claim(key)) {
        await this.#options.launch({ conversationId, caller, input: parsed.data });
      }
    } catch (error) {
      this.#options.logger.warn('conversation prefetch did not start', {
        tool: this.tool.name,
        error: (error as Error).message,
      });
    }
  }
}
