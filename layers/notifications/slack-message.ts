import type { Notification } from './notifier.ts';
import { truncate, utcTime, viewOf } from './wording.ts';

/** Slack's documented limits (Block Kit reference) that a message built here must keep. */
export const slackLimits = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  buttonText: 75,
  buttonUrl: 3000,
} as const;

type PlainText = { type: 'plain_text'; text: string; emoji?: boolean };
type Mrkdwn = { type: 'mrkdwn'; text: string; verbatim?: boolean };

/** The body of a Slack incoming-webhook post (Block Kit). */
export interface SlackWebhookMessage {
  /** What notifications and clients that cannot show blocks display. */
  text: string;
  blocks: (
    | { type: 'header'; text: PlainText }
    | { type: 'section'; text: Mrkdwn }
    | { type: 'section'; fields: Mrkdwn[] }
    | {
        type: 'actions';
        elements: {
          type: 'button';
          text: PlainText;
          url: string;
          action_id: string;
          style?: 'primary' | 'danger';
        }[];
      }
  )[];
}

/**
 * Escapes text for Slack: `&`, `<` and `>` are Slack's control characters (links, mentions such as
 * `<!channel>`, dates), so text that must show as typed has them as HTML entities, and nothing
 * else (Slack's "Formatting text for app surfaces", escaping).
 *
 * @example
 * escapeSlackText('<!channel> R&D'); // '&lt;!channel&gt; R&amp;D'
 */
export function escapeSlackText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** An escaped cut never ends inside an entity. */
const PARTIAL_ENTITY = /&[a-z]*$/;

/**
 * Untrusted text (from an agent) as a mrkdwn text object: escaped, and `verbatim` so that Slack
 * turns no bare URL, channel name or `@here` into a link or mention.
 */
const untrusted = (text: string, max: number, label?: string): Mrkdwn => {
  const prefix = label ? `*${escapeSlackText(label)}*\n` : '';
  return {
    type: 'mrkdwn',
    text: prefix + truncate(escapeSlackText(text), max - prefix.length, PARTIAL_ENTITY),
    verbatim: true,
  };
};

/** Slack shows a date token in each reader's own time zone, the fallback where it cannot. */
const slackDate = (iso: string): string | undefined => {
  const epoch = Math.floor(Date.parse(iso) / 1000);
  if (Number.isNaN(epoch)) return undefined;
  return `<!date^${epoch}^{date_short_pretty} at {time}|${escapeSlackText(utcTime(iso))}>`;
};

/**
 * The Slack incoming-webhook message of a notification: a header, the summary, the facts (who
 * proposed it, who approves, the agent's reason, the expiry) and a button to the console page.
 * Every value that may come from an agent is escaped and verbatim.
 *
 * @example
 * await fetch(webhookUrl, { method: 'POST', body: JSON.stringify(slackMessage(notification)) });
 */
export function slackMessage(notification: Notification): SlackWebhookMessage {
  const view = viewOf(notification);
  const facts = view.facts.slice(0, slackLimits.fields).map((fact) => {
    const date = fact.label === 'Expires' && view.expiresAt ? slackDate(view.expiresAt) : undefined;
    if (!date) return untrusted(fact.value, slackLimits.fieldText, fact.label);
    return { type: 'mrkdwn' as const, text: `*${fact.label}*\n${date}`, verbatim: true };
  });
  return {
    text: truncate(
      `${escapeSlackText(view.title)}: ${escapeSlackText(view.lead)}`,
      slackLimits.sectionText,
      PARTIAL_ENTITY,
    ),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: truncate(view.title, slackLimits.headerText) },
      },
      { type: 'section', text: untrusted(view.lead, slackLimits.sectionText) },
      { type: 'section', fields: facts },
      ...(view.link
        ? [
            {
              type: 'actions' as const,
              elements: [
                {
                  type: 'button' as const,
                  text: { type: 'plain_text' as const, text: view.link.label },
                  url: view.link.url,
                  action_id: 'open_console',
                  style: 'primary' as const,
                },
              ],
            },
          ]
        : []),
    ],
  };
}
