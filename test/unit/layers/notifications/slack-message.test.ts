import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { escapeSlackText, slackLimits, slackMessage } from '#layers/notifications/slack-message.ts';
import { approvalWaiting, HOSTILE_TEXT, operationFailed } from '#test/helpers/notifications.ts';

/** What a Slack client shows for escaped text: the three entities Slack decodes, decoded. */
const shown = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

type Text = { type: string; text: string; verbatim?: boolean };
const textsOf = (message: ReturnType<typeof slackMessage>): Text[] =>
  message.blocks.flatMap((block): Text[] => {
    if (block.type === 'section') return 'fields' in block ? block.fields : [block.text];
    if (block.type === 'header') return [block.text];
    return block.elements.map((element) => element.text);
  });

describe('slackMessage', () => {
  it('builds blocks of the shapes the Slack SDK types as known blocks', () => {
    // Arrange / act
    const message = slackMessage(approvalWaiting());

    // Assert: a compile-time check against @slack/types, Slack's own published types.
    const blocks: KnownBlock[] = message.blocks;
    expect(blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'actions']);
  });

  it('says what waits, who proposed it, who approves, why, until when, with a button to approveUrl', () => {
    const notification = approvalWaiting();

    const message = slackMessage(notification);

    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Approval waiting: create_order' },
    });
    const texts = textsOf(message).map((text) => shown(text.text));
    expect(texts).toContain(notification.summary);
    expect(texts).toContain('*Proposed by*\nana');
    expect(texts).toContain('*Who approves*\nThe proposer, in the console');
    expect(texts).toContain('*Reason given*\nThe customer asked for it on the phone');
    // The expiry in each reader's time zone, with the UTC time where Slack cannot convert it.
    const expires = Date.parse(notification.expiresAt) / 1000;
    expect(texts).toContain(
      `*Expires*\n<!date^${expires}^{date_short_pretty} at {time}|2026-11-23 10:10 UTC>`,
    );
    expect(message.blocks[3]).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Review in the console' },
          url: notification.approveUrl,
          action_id: 'open_console',
          style: 'primary',
        },
      ],
    });
    expect(shown(message.text)).toBe(`Approval waiting: create_order: ${notification.summary}`);
  });

  it('names the approver role when someone else must approve', () => {
    const texts = textsOf(slackMessage(approvalWaiting({ confirmBy: 'approver' }))).map(
      (t) => t.text,
    );
    expect(texts).toContain('*Who approves*\nA person with the approver role (not the proposer)');
  });

  it('escapes &, < and > in every text an agent wrote and keeps Slack from linking or mentioning', () => {
    const message = slackMessage(
      approvalWaiting({ summary: HOSTILE_TEXT, reason: HOSTILE_TEXT, proposedBy: '<@U012AB3CD>' }),
    );

    const untrusted = textsOf(message).filter(
      (text) => text.type === 'mrkdwn' && !text.text.startsWith('*Expires*'),
    );
    expect(untrusted.length).toBeGreaterThanOrEqual(3);
    for (const text of untrusted) {
      expect(text.verbatim).toBe(true);
      // No control character of Slack's is left for a link, a mention or a date to start from.
      expect(text.text).not.toMatch(/[<>]/);
      expect(text.text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(untrusted.map((text) => shown(text.text))).toContain(HOSTILE_TEXT);
    expect(untrusted.map((text) => shown(text.text))).toContain('*Proposed by*\n<@U012AB3CD>');
    expect(message.text).not.toMatch(/[<>]/);
  });

  it('escapes exactly the three characters Slack asks for', () => {
    expect(escapeSlackText('a < b && c > "d" \'e\'')).toBe('a &lt; b &amp;&amp; c &gt; "d" \'e\'');
  });

  it('keeps every text within the limits Slack documents, cutting long ones without breaking an entity', () => {
    const long = `${'&'.repeat(1000)}${'x'.repeat(5000)}`;

    const message = slackMessage(
      approvalWaiting({ summary: long, reason: long, tool: `t${'o'.repeat(200)}` }),
    );

    const [header, lead, facts] = message.blocks as any[];
    expect(header.text.text.length).toBeLessThanOrEqual(slackLimits.headerText);
    expect(lead.text.text.length).toBeLessThanOrEqual(slackLimits.sectionText);
    expect(lead.text.text).toMatch(/(&amp;)+…$/);
    expect(facts.fields.length).toBeLessThanOrEqual(slackLimits.fields);
    for (const field of facts.fields)
      expect(field.text.length).toBeLessThanOrEqual(slackLimits.fieldText);
    expect(message.text.length).toBeLessThanOrEqual(slackLimits.sectionText);
  });

  it('tells that an operation failed, what went wrong, and links to it when it has a page', () => {
    const notification = operationFailed();

    const message = slackMessage(notification);

    expect(message.blocks[0]).toMatchObject({ text: { text: 'Operation failed: create_order' } });
    const texts = textsOf(message).map((text) => shown(text.text));
    expect(texts).toContain(notification.detail);
    expect(texts).toContain(`*Operation*\n${notification.operationId}`);
    expect(message.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ url: notification.url }],
    });
    expect(slackMessage(operationFailed({ url: undefined })).blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
    ]);
  });
});
