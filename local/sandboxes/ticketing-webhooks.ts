import { createHmac, randomUUID } from 'node:crypto';
import type { SeedTicket } from './seed.ts';
import type { WebhookOutbox } from './webhooks.ts';

/** A change to one ticket, named after its Zendesk event type (`zen:event-type:ticket.<type>`). */
export type TicketChange =
  | { type: 'created' | 'soft_deleted'; ticket: SeedTicket }
  | { type: 'status_changed'; ticket: SeedTicket; previous: SeedTicket['status'] }
  | { type: 'subject_changed'; ticket: SeedTicket; previous: string };

/** The sandbox's Zendesk account and webhook, fixed so a receiver can be configured once. */
export const ZENDESK_ACCOUNT_ID = 22_129_848;
export const ZENDESK_WEBHOOK_ID = '01JD0000000000000000000001';

/** ISO 8601 in UTC to the second, as Zendesk writes event times: `2026-11-23T10:00:00Z`. */
const isoSeconds = (epochMs: number) => new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
const idOrNull = (id: number | null) => (id ? String(id) : null);
const upper = (value: string | null) => (value === null ? null : value.toUpperCase());

/** The ticket as Zendesk event webhooks describe it: ids as strings, enums in capitals. */
function detailOf(ticket: SeedTicket, type: TicketChange['type']) {
  return {
    id: String(ticket.id),
    assignee_id: idOrNull(ticket.assigneeId),
    created_at: isoSeconds(ticket.createdAt),
    description: ticket.description,
    external_id: null,
    is_public: true,
    organization_id: idOrNull(ticket.organizationId),
    priority: upper(ticket.priority),
    requester_id: idOrNull(ticket.requesterId),
    status: type === 'soft_deleted' ? 'DELETED' : upper(ticket.status),
    subject: ticket.subject,
    submitter_id: idOrNull(ticket.requesterId),
    tags: [...ticket.tags],
    type: upper(ticket.type),
    updated_at: isoSeconds(ticket.updatedAt),
    via: { channel: ticket.channel },
  };
}

function eventOf(change: TicketChange) {
  switch (change.type) {
    case 'status_changed':
      return { current: upper(change.ticket.status), previous: upper(change.previous) };
    case 'subject_changed':
      return { current: change.ticket.subject, previous: change.previous };
    default:
      return {};
  }
}

/**
 * Signs as Zendesk webhooks do: base64 HMAC-SHA256, keyed with the webhook's signing secret, of
 * the `X-Zendesk-Webhook-Signature-Timestamp` value followed by the body.
 */
export function zendeskSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}${body}`).digest('base64');
}

/**
 * Turns ticket changes into Zendesk event webhook deliveries, one event per request. The body
 * (with its event `id`) and `X-Zendesk-Webhook-Invocation-Id` stay the same across retries; the
 * timestamp and signature are new on each attempt.
 *
 * @example
 * const announce = zendeskWebhooks(outbox);
 * announce({ type: 'status_changed', ticket, previous: 'open' });
 */
export function zendeskWebhooks(outbox: Pick<WebhookOutbox, 'announce'>) {
  // Starts from the clock, so invocation ids stay unique across restarts of the sandbox.
  let nextInvocation = Date.now() * 1000;
  return (change: TicketChange): void => {
    const type = `zen:event-type:ticket.${change.type}`;
    const id = randomUUID();
    const invocationId = String(nextInvocation++);
    // Serialised now: the ticket may change again before a retry.
    const body = JSON.stringify({
      type,
      account_id: ZENDESK_ACCOUNT_ID,
      id,
      time: new Date().toISOString(),
      zendesk_event_version: '2022-11-06',
      subject: `zen:ticket:${change.ticket.id}`,
      detail: detailOf(change.ticket, change.type),
      event: eventOf(change),
    });
    outbox.announce({
      eventIds: [id],
      eventTypes: [type],
      sign(target) {
        const timestamp = isoSeconds(Date.now());
        return {
          body,
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'Zendesk Webhook (sandbox)',
            'X-Zendesk-Webhook-Id': ZENDESK_WEBHOOK_ID,
            'X-Zendesk-Webhook-Invocation-Id': invocationId,
            'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
            'X-Zendesk-Webhook-Signature': zendeskSignature(target.secret, timestamp, body),
          },
        };
      },
    });
  };
}
