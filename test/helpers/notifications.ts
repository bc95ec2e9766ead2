import type { Notification } from '#layers/notifications/notifier.ts';

type ApprovalWaiting = Extract<Notification, { kind: 'approval_waiting' }>;
type OperationFailed = Extract<Notification, { kind: 'operation_failed' }>;

/**
 * A notification that a write waits for a person, with realistic values.
 *
 * @example
 * const notification = approvalWaiting({ reason: '<b>urgent</b>' });
 */
export const approvalWaiting = (overrides: Partial<ApprovalWaiting> = {}): ApprovalWaiting => ({
  kind: 'approval_waiting',
  confirmationId: 'cf_01JD5R3K8Y2W6T9B4N7M1Q0ZXA',
  tool: 'create_order',
  summary: 'Order 3 × SKU-10001 (Industrial Pump) for Northwind Traders (C-00021): 1,234.50 EUR',
  proposedBy: 'ana',
  confirmBy: 'self',
  reason: 'The customer asked for it on the phone',
  expiresAt: '2026-11-23T10:10:00.000Z',
  approveUrl: 'https://gateway.example.com/console/approvals/cf_01JD5R3K8Y2W6T9B4N7M1Q0ZXA',
  ...overrides,
});

/** A notification that an operation ended failed (its compensation failed). */
export const operationFailed = (overrides: Partial<OperationFailed> = {}): OperationFailed => ({
  kind: 'operation_failed',
  operationId: 'op_01JD5R9V3C6X2Z8P4K7H1G0FWE',
  tool: 'create_order',
  owner: 'ana',
  detail: 'Releasing the stock reservation failed after the order was refused: the ERP is down.',
  url: 'https://gateway.example.com/console/operations/op_01JD5R9V3C6X2Z8P4K7H1G0FWE',
  ...overrides,
});

/** Text an agent could write to fool a person or a chat client: markup, links, mentions. */
export const HOSTILE_TEXT =
  '<!channel> <https://evil.example/pay|Approve here> [click](https://evil.example) **urgent** <script>alert(1)</script> R&D @here';

/** A message the chat sandbox received (`GET /_sandbox/messages`). */
export interface ChatMessage {
  channel: 'slack' | 'teams';
  body: any;
  receivedAt: string;
}

/** What the chat sandbox has received so far, as the README tells people to read it. */
export async function chatMessages(chatUrl: string): Promise<ChatMessage[]> {
  const response = await fetch(`${chatUrl}/_sandbox/messages`);
  if (!response.ok) throw new Error(`GET /_sandbox/messages answered ${response.status}`);
  return ((await response.json()) as { messages: ChatMessage[] }).messages;
}
