import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInAs, watchPage } from '#test/helpers/browser.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const sue = { sub: 'sue', roles: ['support'] };

/** What an agent, confused or injected, might write: each piece, if it ran, would leave a mark. */
const subject = `<img src=x onerror="window.__ran='subject img'"><script>window.__ran='subject script'</script><b>Bold</b> & "quoted"`;
const reason = `<script>alert('reason')</script><img src=/console/x.png onerror=alert('reason img')><a href="javascript:alert('link')">open</a> <svg onload=alert('svg')></svg>`;
const conversationId = `conv-<iframe src="javascript:alert('conversation')"></iframe>`;

describe('the console and text an agent wrote', { timeout: 240_000 }, () => {
  let local: LocalHarness;
  let browser: Browser;

  // Local mode and Chromium start together; both take seconds on a busy machine.
  beforeAll(async () => {
    [local, browser] = await Promise.all([startLocalHarness(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
  });

  /** Markup that became elements inside the page, rather than text. */
  const injected = (page: Page) =>
    page.locator('main').locator('img, script, b, iframe, svg, a[href^="javascript:"]').count();

  it('shows markup and script in a summary, a reason and a conversation id as text, and runs none of it', async () => {
    // Arrange: Sue's agent proposes an email that Sue herself must approve in the console
    const proposal = await local.call('POST', '/tools/send_email', {
      as: sue,
      body: {
        // Support writes to the customer's own CRM contacts only (infra/policy/email.cedar)
        to: ['liam.meyer61@northwindtraders.example'],
        customerId: 'C-00021',
        subject,
        body: '<script>alert("body")</script> The pallet jack ships today.',
      },
      headers: { 'x-agent-reason': reason, 'x-conversation-id': conversationId },
    });
    expect(proposal.status, JSON.stringify(proposal.body)).toBe(202);
    const { id } = proposal.body.confirmation;
    const context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const watch = watchPage(page);

    // Act: the inbox, then the confirmation's own page
    await page.goto(`${local.url}/console/`);
    await signInAs(page, sue);
    const item = page.getByRole('listitem').filter({ hasText: id });
    await item.waitFor();
    const inInbox = (await item.textContent()) ?? '';
    const injectedInInbox = await injected(page);
    await item.getByRole('link', { name: 'send_email' }).click();
    await page.getByRole('heading', { level: 1, name: /send_email/ }).waitFor();
    await page.getByRole('button', { name: 'Approve' }).waitFor();
    const onPage = (await page.getByRole('main').textContent()) ?? '';
    const injectedOnPage = await injected(page);
    // The same call in the audit trail, once its record is delivered (a moment after the answer,
    // by the audit log's tailer): its conversation, then the record
    await local.auditDelivered();
    await page.goto(
      `${local.url}/console/audit?${new URLSearchParams({ conversationId, tool: 'send_email' })}`,
    );
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    const call = page.getByRole('row').filter({ hasText: 'send_email' });
    await call.getByRole('link').click();
    await page.getByRole('heading', { level: 2, name: "Agent's reason" }).waitFor();
    const inAudit = (await page.getByRole('main').textContent()) ?? '';
    const injectedInAudit = await injected(page);
    const ran = await page.evaluate(() => (globalThis as { __ran?: unknown }).__ran);
    await context.close();

    // Assert: every character shows as written, no element came of it, nothing ran or was blocked
    expect(inAudit).toContain(reason);
    expect(inAudit).toContain(conversationId);
    expect(injectedInAudit).toBe(0);
    for (const shown of [inInbox, onPage]) {
      expect(shown).toContain(subject);
      expect(shown).toContain(reason);
      expect(shown).toContain(conversationId);
    }
    expect(injectedInInbox).toBe(0);
    expect(injectedOnPage).toBe(0);
    expect(ran).toBeUndefined();
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });
});
