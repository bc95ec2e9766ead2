import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords } from '#test/helpers/audit.ts';
import {
  launchChromium,
  type PageWatch,
  screenshot,
  signInAs,
  watchPage,
} from '#test/helpers/browser.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const sam = { sub: 'sam', roles: ['sales'] };
const abe = { sub: 'abe', roles: ['approver'] };

describe('the console: approvals in a browser', { timeout: 240_000 }, () => {
  let local: LocalHarness;
  let browser: Browser;
  let context: BrowserContext | undefined;

  // Local mode and Chromium start together; both take seconds on a busy machine.
  beforeAll(async () => {
    [local, browser] = await Promise.all([
      startLocalHarness({}, { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 }),
      launchChromium(),
    ]);
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
  });

  const laptop = { width: 1280, height: 900 };
  const phone = { width: 390, height: 844 };

  /** A new browser session (nobody signed in), by default on a laptop-sized window. */
  async function freshPage(viewport = laptop): Promise<{ page: Page; watch: PageWatch }> {
    context = await browser.newContext({ viewport });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    return { page, watch: watchPage(page) };
  }

  /** Sam's agent proposes an order over HTTP, as an agent does; answers the confirmation. */
  async function proposeOrder(
    lines: { sku: string; quantity: number }[],
    meta: { reason?: string; conversationId?: string } = {},
  ): Promise<{ id: string; summary: string; approveUrl: string }> {
    const res = await local.call('POST', '/tools/create_order', {
      as: sam,
      body: { customerId: 'C-00021', lines },
      headers: {
        ...(meta.reason ? { 'x-agent-reason': meta.reason } : {}),
        ...(meta.conversationId ? { 'x-conversation-id': meta.conversationId } : {}),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.confirmation;
  }

  const heading = (page: Page, name: string | RegExp) =>
    page.getByRole('heading', { level: 1, name });

  it('lets an approver sign in, see an order another user proposed, approve it and watch its operation succeed', async () => {
    // Arrange
    const proposal = await proposeOrder([{ sku: 'SKU-10002', quantity: 2 }], {
      reason: 'The customer confirmed the quantity on the phone.',
      conversationId: 'conv-approve-1',
    });
    const { page, watch } = await freshPage();

    // Act: the console sends a person who is not signed in to the issuer's sign-in page
    await page.goto(`${local.url}/console/`);
    await page.getByLabel('User').waitFor();
    await signInAs(page, abe, {
      beforeSubmit: () => screenshot(page, 'sign-in', { fullPage: false }),
    });

    // Assert: the inbox shows the proposal with all a person needs to decide
    await heading(page, 'Approvals').waitFor();
    const item = page.getByRole('listitem').filter({ hasText: proposal.id });
    await item.waitFor();
    const shown = (await item.textContent()) ?? '';
    expect(shown).toContain(proposal.summary);
    expect(shown).toContain('sam');
    expect(shown).toContain('The customer confirmed the quantity on the phone.');
    expect(shown).toContain('conv-approve-1');
    expect(shown).toMatch(/\d+ min \d+ s left/);
    expect(shown).toContain('SKU-10002');
    await screenshot(page, 'approvals');

    // Act: open it and approve it
    await item.getByRole('link', { name: 'create_order' }).click();
    await page.waitForURL(`${local.url}/console/approvals/${proposal.id}`);
    await heading(page, /create_order/).waitFor();
    await screenshot(page, 'approval');
    await page.getByRole('button', { name: 'Approve' }).click();

    // Assert: the page follows the operation until it succeeds; nothing is left to decide
    await page.getByRole('status').filter({ hasText: 'Succeeded' }).waitFor({ timeout: 90_000 });
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await screenshot(page, 'approved');
    const decided = await local.call('GET', `/confirmations/${proposal.id}`, { as: abe });
    expect(decided.body.confirmation).toMatchObject({
      status: 'confirmed',
      operationId: expect.any(String),
    });
    const operation = await local.call(
      'GET',
      `/operations/${decided.body.confirmation.operationId}`,
      { as: abe },
    );
    expect(operation.body.operation.status).toBe('succeeded');

    // Assert: back in the inbox, it no longer waits
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Approvals' })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: /wait for a decision|waits for a decision/ })
      .waitFor();
    expect(await page.getByRole('listitem').filter({ hasText: proposal.id }).count()).toBe(0);
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('rejects an order with a reason: it cannot be decided again, and the reason is in the audit trail', async () => {
    // Arrange
    const proposal = await proposeOrder([{ sku: 'SKU-10003', quantity: 1 }]);
    const reason = 'Duplicate of last week’s order; the customer only wants one.';
    const { page, watch } = await freshPage();
    await page.goto(`${local.url}/console/approvals/${proposal.id}`);
    await signInAs(page, abe);
    await heading(page, /create_order/).waitFor();

    // Act
    await page.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reject this write?' });
    await dialog.getByLabel('Reason').fill(reason);
    await dialog.getByRole('button', { name: 'Confirm rejection' }).click();

    // Assert: the page says so and offers no decision any more
    await page.getByRole('status').filter({ hasText: 'Rejected' }).waitFor();
    await page.getByText('This write was rejected or withdrawn.').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reject' }).count()).toBe(0);
    const decided = await local.call('GET', `/confirmations/${proposal.id}`, { as: abe });
    expect(decided.body.confirmation.status).toBe('cancelled');
    const again = await local.call('POST', `/confirmations/${proposal.id}`, { as: abe });
    expect(again.body.error.code).toBe('confirmation_cancelled');
    const audited = (await auditRecords(local)).filter(
      (record) => record.sub === 'abe' && JSON.stringify(record).includes(reason),
    );
    expect(audited).toHaveLength(1);
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('opens an approveUrl for a person who is not signed in: sign-in first, then that confirmation, readable on a phone', async () => {
    // Arrange
    // About 1,100 EUR: over the four-eyes threshold (infra/policy/orders.cedar)
    const proposal = await proposeOrder([{ sku: 'SKU-10004', quantity: 2 }]);
    expect(proposal.approveUrl).toBe(`${local.url}/console/approvals/${proposal.id}`);
    const { page, watch } = await freshPage(phone);

    // Act
    await page.goto(proposal.approveUrl);
    await page.getByLabel('User').waitFor();
    expect(page.url().startsWith(`${local.url}/console`)).toBe(false);
    await signInAs(page, abe);

    // Assert
    await page.waitForURL(proposal.approveUrl);
    await heading(page, /create_order/).waitFor();
    expect(await page.getByText(proposal.summary).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);
    const width = await page.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return { page: root.scrollWidth, window: root.clientWidth };
    });
    expect(width.page, 'no sideways scrolling on a phone').toBeLessThanOrEqual(width.window);
    await screenshot(page, 'approval-phone');
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('renews the access token with the refresh token before it expires, without leaving the page', async () => {
    // Arrange: the page's clock can be moved; the bearer of every API call is noted
    const { page, watch } = await freshPage();
    await page.clock.install();
    const bearers: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/confirmations')
        bearers.push(request.headers().authorization ?? '');
    });
    await page.goto(`${local.url}/console/`);
    await signInAs(page, abe);
    await page.getByRole('status').filter({ hasText: 'for a decision' }).waitFor();
    const loads = page.url();

    // Act: 59 minutes later, a minute before the token's hour is up
    const renewed = page.waitForRequest(
      (request) =>
        request.url().endsWith('/_local/oidc/token') &&
        (request.postData() ?? '').includes('grant_type=refresh_token'),
    );
    await page.clock.fastForward('59:00');
    await (await renewed).response();
    const before = bearers.length;
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForRequest((request) => new URL(request.url()).pathname === '/confirmations');

    // Assert: the next call carries a new token, and the page never reloaded
    expect(bearers[0]).toMatch(/^Bearer ey/);
    expect(bearers.length).toBeGreaterThan(before);
    expect(bearers.at(-1)).not.toBe(bearers[0]);
    expect(page.url()).toBe(loads);
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('shows a person who lacks the role a page that names it, when they try to approve', async () => {
    // Arrange: Sam opens his own four-eyes order, which only another person, an approver, may approve
    // About 1,400 EUR: over the four-eyes threshold (infra/policy/orders.cedar)
    const proposal = await proposeOrder([{ sku: 'SKU-10005', quantity: 3 }]);
    const { page } = await freshPage();
    await page.goto(proposal.approveUrl);
    await signInAs(page, sam);
    await heading(page, /create_order/).waitFor();

    // Act
    await page.getByRole('button', { name: 'Approve' }).click();

    // Assert
    await heading(page, 'Not allowed').waitFor();
    const shown = (await page.getByRole('main').textContent()) ?? '';
    expect(shown).toContain('It needs the role approver');
    const still = await local.call('GET', `/confirmations/${proposal.id}`, { as: abe });
    expect(still.body.confirmation.status).toBe('pending');
  });
});
