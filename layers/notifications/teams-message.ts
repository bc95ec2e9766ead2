import type { Notification } from './notifier.ts';
import { truncate, viewOf } from './wording.ts';

/** The Adaptive Card schema version the cards declare: Teams renders 1.4 on desktop, web and mobile. */
export const ADAPTIVE_CARD_VERSION = '1.4';
/** Longest untrusted text put on a card; Teams refuses cards over about 28 KB. */
const MAX_TEXT = 2000;

type TextRun = { type: 'TextRun'; text: string; weight?: 'Bolder'; size?: 'Medium' | 'Large' };

/** An Adaptive Card, in the `message` envelope that Teams incoming webhooks and Workflows accept. */
export interface TeamsWebhookMessage {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
      type: 'AdaptiveCard';
      version: typeof ADAPTIVE_CARD_VERSION;
      fallbackText: string;
      body: { type: 'RichTextBlock'; inlines: TextRun[]; spacing?: 'Medium' }[];
      actions: { type: 'Action.OpenUrl'; title: string; url: string }[];
    };
  }[];
}

/**
 * Text as a RichTextBlock of TextRuns: unlike a TextBlock or a Fact, a TextRun takes no Markdown
 * (Adaptive Cards "Text features"), so an agent's `[click here](https://…)` or `**urgent**` shows
 * as typed. Tool names go through it too: `update_customer_contact` would otherwise turn italic.
 */
const paragraph = (...inlines: TextRun[]) => ({ type: 'RichTextBlock' as const, inlines });

/**
 * The Microsoft Teams message of a notification: an Adaptive Card 1.4 with the title, the
 * summary, the facts and an Action.OpenUrl to the console page, in the `message` attachment
 * envelope of Teams incoming webhooks and of the Workflows app's "When a Teams webhook request is
 * received" trigger.
 *
 * @example
 * await fetch(workflowUrl, { method: 'POST', body: JSON.stringify(teamsMessage(notification)) });
 */
export function teamsMessage(notification: Notification): TeamsWebhookMessage {
  const view = viewOf(notification);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: ADAPTIVE_CARD_VERSION,
          fallbackText: view.title,
          body: [
            paragraph({ type: 'TextRun', text: view.title, weight: 'Bolder', size: 'Medium' }),
            paragraph({ type: 'TextRun', text: truncate(view.lead, MAX_TEXT) }),
            ...view.facts.map((fact, index) => ({
              ...paragraph(
                { type: 'TextRun' as const, text: `${fact.label}: `, weight: 'Bolder' as const },
                { type: 'TextRun' as const, text: truncate(fact.value, MAX_TEXT) },
              ),
              ...(index === 0 ? { spacing: 'Medium' as const } : {}),
            })),
          ],
          actions: view.link
            ? [{ type: 'Action.OpenUrl', title: view.link.label, url: view.link.url }]
            : [],
        },
      },
    ],
  };
}
