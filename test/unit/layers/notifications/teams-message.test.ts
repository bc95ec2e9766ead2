import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { teamsMessage } from '#layers/notifications/teams-message.ts';
import { approvalWaiting, HOSTILE_TEXT, operationFailed } from '#test/helpers/notifications.ts';

/**
 * Microsoft's own Adaptive Cards library (the npm package `adaptivecards`, its UMD build, which
 * runs without a DOM for parsing) as the oracle: it reports every element, property or value it
 * does not know, and every required property a card lacks.
 */
interface AdaptiveCardsLibrary {
  AdaptiveCard: new () => {
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: { message: string }[] };
  };
  SerializationContext: new () => {
    eventCount: number;
    getEventAt(index: number): { message: string };
  };
}
const adaptiveCards = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.js',
) as AdaptiveCardsLibrary;

/** Every problem the Adaptive Cards library finds in a card. */
function problemsOf(card: unknown): string[] {
  const parsed = new adaptiveCards.AdaptiveCard();
  const context = new adaptiveCards.SerializationContext();
  parsed.parse(card, context);
  const problems = Array.from(
    { length: context.eventCount },
    (_, index) => context.getEventAt(index).message,
  );
  return [...problems, ...parsed.validateProperties().validationEvents.map((e) => e.message)];
}

/** The texts of the card's TextRuns, in order. */
const runsOf = (message: ReturnType<typeof teamsMessage>): string[] =>
  message.attachments[0]!.content.body.flatMap((block) => block.inlines.map((run) => run.text));

describe('teamsMessage', () => {
  it('wraps the card in the message envelope Teams webhooks and Workflows take', () => {
    const message = teamsMessage(approvalWaiting());

    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: { type: 'AdaptiveCard', version: '1.4' },
    });
  });

  it('is a valid Adaptive Card 1.4 for the Adaptive Cards library, in both kinds', () => {
    // A control: the oracle does find problems.
    expect(
      problemsOf({ type: 'AdaptiveCard', version: '1.4', actions: [{ type: 'Action.OpenUrl' }] }),
    ).not.toEqual([]);

    for (const notification of [
      approvalWaiting(),
      approvalWaiting({ reason: undefined, summary: HOSTILE_TEXT }),
      operationFailed(),
      operationFailed({ url: undefined }),
    ]) {
      expect(problemsOf(teamsMessage(notification).attachments[0]!.content)).toEqual([]);
    }
  });

  it('says what waits, who proposed it, who approves, why and until when, with Action.OpenUrl to approveUrl', () => {
    const notification = approvalWaiting();

    const card = teamsMessage(notification).attachments[0]!.content;

    expect(runsOf(teamsMessage(notification))).toEqual([
      'Approval waiting: create_order',
      notification.summary,
      'Proposed by: ',
      'ana',
      'Who approves: ',
      'The proposer, in the console',
      'Reason given: ',
      'The customer asked for it on the phone',
      'Expires: ',
      '2026-11-23 10:10 UTC',
      'Confirmation: ',
      notification.confirmationId,
    ]);
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Review in the console', url: notification.approveUrl },
    ]);
    expect(card.fallbackText).toBe('Approval waiting: create_order');
  });

  it("puts an agent's text only in TextRuns, which take no Markdown, so it shows as typed", () => {
    const message = teamsMessage(
      approvalWaiting({
        summary: HOSTILE_TEXT,
        reason: HOSTILE_TEXT,
        tool: 'update_customer_contact',
      }),
    );

    const json = JSON.stringify(message);
    // No TextBlock or FactSet (both render Markdown) anywhere in the card.
    expect(json).not.toMatch(/"type":"(TextBlock|FactSet)"/);
    expect(runsOf(message).filter((text) => text === HOSTILE_TEXT)).toHaveLength(2);
    expect(runsOf(message)[0]).toBe('Approval waiting: update_customer_contact');
  });

  it('cuts very long texts so the card stays far below the size Teams accepts', () => {
    const message = teamsMessage(approvalWaiting({ summary: 'x'.repeat(100_000) }));

    expect(runsOf(message)[1]!.length).toBeLessThanOrEqual(2000);
    expect(JSON.stringify(message).length).toBeLessThan(28 * 1024);
  });

  it('tells that an operation failed and what went wrong, with a link only when it has a page', () => {
    const notification = operationFailed();

    const card = teamsMessage(notification).attachments[0]!.content;

    expect(runsOf(teamsMessage(notification)).slice(0, 2)).toEqual([
      'Operation failed: create_order',
      notification.detail,
    ]);
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the operation', url: notification.url },
    ]);
    expect(
      teamsMessage(operationFailed({ url: undefined })).attachments[0]!.content.actions,
    ).toEqual([]);
  });
});
