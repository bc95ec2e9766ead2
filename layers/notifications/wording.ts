import type { Notification } from './notifier.ts';

/** One labelled value of a notification; the value may be untrusted text from an agent. */
export interface Fact {
  readonly label: string;
  readonly value: string;
}

/**
 * What every channel says about a notification, in plain words, before any channel's markup:
 * Slack, Teams and the topic's e-mail text are all built from it, so they say the same thing.
 * `title` and the labels are the gateway's own words; `lead` and the facts' values may come from
 * an agent (summary, reason, proposer) and must be rendered as text, never as markup.
 */
export interface NotificationView {
  readonly title: string;
  /** The summary of the waiting write, or what went wrong. */
  readonly lead: string;
  readonly facts: readonly Fact[];
  /** Where a person acts: the console page. */
  readonly link?: { readonly url: string; readonly label: string };
  /** When the notification stops mattering (an expiring confirmation), ISO 8601. */
  readonly expiresAt?: string;
}

/** `2026-11-23T10:00:00.000Z` → `2026-11-23 10:00 UTC`; anything unreadable as it came. */
export function utcTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The plain-language view of a notification.
 *
 * @example
 * viewOf({ kind: 'approval_waiting', tool: 'create_order', summary: 'Order 3 × SKU-10001 …', … });
 * // { title: 'Approval waiting: create_order', lead: 'Order 3 × SKU-10001 …', facts: [...], link: {...} }
 */
export function viewOf(notification: Notification): NotificationView {
  if (notification.kind === 'approval_waiting') {
    return {
      title: `Approval waiting: ${notification.tool}`,
      lead: notification.summary,
      facts: [
        { label: 'Proposed by', value: notification.proposedBy },
        {
          label: 'Who approves',
          value:
            notification.confirmBy === 'approver'
              ? 'A person with the approver role (not the proposer)'
              : 'The proposer, in the console',
        },
        ...(notification.reason ? [{ label: 'Reason given', value: notification.reason }] : []),
        { label: 'Expires', value: utcTime(notification.expiresAt) },
        { label: 'Confirmation', value: notification.confirmationId },
      ],
      link: { url: notification.approveUrl, label: 'Review in the console' },
      expiresAt: notification.expiresAt,
    };
  }
  return {
    title: `Operation failed: ${notification.tool}`,
    lead: notification.detail,
    facts: [
      { label: 'Operation', value: notification.operationId },
      { label: 'Requested by', value: notification.owner },
      {
        label: 'What to do',
        value: 'Its compensation failed: check the systems it touched and put them right.',
      },
    ],
    ...(notification.url ? { link: { url: notification.url, label: 'Open the operation' } } : {}),
  };
}

/**
 * Cuts text to at most `max` characters, ending with `…` when it had to cut; `unit` keeps a cut
 * from splitting an escape sequence (e.g. `&amp;`) in two.
 */
export function truncate(text: string, max: number, unit?: RegExp): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (unit) cut = cut.replace(unit, '');
  return `${cut}…`;
}
