import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { proposeAndConfirm, sandboxCalls, waitForOperation } from '#test/helpers/operations.ts';

const ana = { sub: 'ana', roles: ['support'] };
const sam = { sub: 'sam', roles: ['sales'] };
const footer = 'Drafted by the Acme assistant, an AI system.';

interface SentMessage {
  from: string;
  subject: string;
  content: string;
  headers: Record<string, string>;
}

describe('send_email in local mode', () => {
  let local: LocalHarness;
  const email = (subject: string, from?: string) => ({
    // Support writes to the customer's own CRM contacts only (infra/policy/email.cedar)
    to: ['liam.meyer61@northwindtraders.example'],
    customerId: 'C-00021',
    subject,
    body: 'A new pallet jack ships today.',
    ...(from ? { from } : {}),
  });
  const sent = async (subject: string): Promise<SentMessage[]> => {
    const outbox = (await (await fetch(`${local.sandboxes.mail}/_sandbox/outbox`)).json()) as {
      messages: SentMessage[];
    };
    return outbox.messages.filter((message) => message.subject === subject);
  };

  beforeAll(async () => {
    local = await startLocalHarness(
      {
        MAIL_ALLOWED_SENDERS: 'service@acme.example',
        MAIL_ROLE_SENDERS: '{"sales":["Sales@acme.example"]}',
        MAIL_AI_FOOTER: footer,
      },
      { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 },
    );
  }, 60_000);
  afterAll(() => local.stop());

  describe('senders', () => {
    it('refuses a sender outside the allow-list with 403 naming the allowed senders, before anything is stored or sent', async () => {
      // Arrange
      const before = (await sandboxCalls(local.sandboxes.mail, 'mail.send')).length;

      // Act
      const res = await local.call('POST', '/tools/send_email', {
        as: ana,
        body: email('From the CEO', 'ceo@acme.example'),
      });

      // Assert
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toContain('ceo@acme.example');
      expect(res.body.error.message).toContain('assistant@acme.example, service@acme.example');
      expect(res.body.error.issues).toEqual([
        { path: 'from', message: expect.stringContaining('assistant@acme.example') },
      ]);
      expect((await sandboxCalls(local.sandboxes.mail, 'mail.send')).length).toBe(before);
    });

    it("allows a role's own sender to that role only", async () => {
      // Act
      const bySupport = await local.call('POST', '/tools/send_email', {
        as: ana,
        body: email('Sales offer', 'sales@acme.example'),
      });
      const { operationId } = await proposeAndConfirm(
        local,
        'send_email',
        email('Sales offer', 'sales@acme.example'),
        sam,
      );
      const done = await waitForOperation(local, operationId, sam, { timeoutMs: 30_000 });

      // Assert: the step, run later by the saga, still knows the proposer's role
      expect(bySupport.status).toBe(403);
      expect(done.status).toBe('succeeded');
      expect(done.result.from).toBe('sales@acme.example');
      expect((await sent('Sales offer')).map((message) => message.from)).toEqual([
        'sales@acme.example',
      ]);
    }, 60_000);
  });

  describe('AI disclosure', () => {
    it('previews the sender, the disclosure header and footer, and sends exactly those', async () => {
      // Act
      const proposal = await local.call('POST', '/tools/send_email', {
        as: ana,
        body: email('Your replacement'),
      });
      const confirmed = await local.call(
        'POST',
        `/confirmations/${proposal.body.confirmation.id}`,
        { person: true, as: ana },
      );
      const done = await waitForOperation(local, confirmed.body.operation.id, ana, {
        timeoutMs: 30_000,
      });

      // Assert: what the person confirmed is what the mail system got
      expect(proposal.status).toBe(202);
      const previewed = proposal.body.confirmation.preview.changes[0].after;
      expect(previewed).toMatchObject({
        from: 'assistant@acme.example',
        headers: { 'X-Toolgate-AI-Generated': 'true' },
        footer,
      });
      expect(proposal.body.confirmation.summary).toContain('from assistant@acme.example');
      expect(done.status).toBe('succeeded');
      const [message] = await sent('Your replacement');
      expect(message?.from).toBe(previewed.from);
      expect(message?.headers).toMatchObject(previewed.headers);
      expect(message?.content.startsWith('A new pallet jack ships today.')).toBe(true);
      expect(message?.content.endsWith(`\n${footer}`)).toBe(true);
    }, 60_000);
  });
});
