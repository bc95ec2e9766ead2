import type {
  JSONRPCMessage,
  MessageExtraInfo,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/server';

type RequestId = string | number;

/** A JSON-RPC request (a method and an id), as opposed to a notification or a response. */
export const isRequestMessage = (
  message: JSONRPCMessage,
): message is JSONRPCMessage & { id: RequestId; method: string } =>
  'method' in message && 'id' in message;

/**
 * An MCP transport that stays connected to its server for the life of a warm function: each
 * stateless JSON exchange hands the request's messages to the server and resolves with the
 * responses to its requests, in their order. Nothing is built per exchange (no web `Request`,
 * `Response` or stream, no connect and close), which is what the SDK's single-use HTTP transport
 * costs per call. One exchange at a time per transport (the server pool gives each request in
 * flight its own server). Notifications and server-to-client requests the server sends during an
 * exchange have no place in a JSON answer and are dropped, as the SDK's JSON response mode drops
 * them.
 *
 * @example
 * await server.connect(transport);
 * const [response] = await transport.exchange([message]);
 */
export class ExchangeTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];
  readonly #waiting = new Map<RequestId, (response: JSONRPCMessage) => void>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.#waiting.clear();
    this.onclose?.();
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (!('id' in message) || 'method' in message) return;
    const id = message.id as RequestId | null | undefined;
    const answer = id === null || id === undefined ? undefined : this.#waiting.get(id);
    if (!answer || id === null || id === undefined) {
      this.onerror?.(new Error(`No exchange waits for the response to request ${String(id)}.`));
      return;
    }
    this.#waiting.delete(id);
    answer(message);
  }

  /**
   * Delivers the messages of one HTTP request; resolves with the responses to its requests, in
   * order (none for notifications only). Request ids must be unique within the exchange.
   */
  exchange(
    messages: readonly JSONRPCMessage[],
    extra?: MessageExtraInfo,
  ): Promise<JSONRPCMessage[]> {
    const answers = messages
      .filter(isRequestMessage)
      .map(
        (request) =>
          new Promise<JSONRPCMessage>((resolve) => this.#waiting.set(request.id, resolve)),
      );
    for (const message of messages) this.onmessage?.(message, extra);
    return Promise.all(answers);
  }
}
