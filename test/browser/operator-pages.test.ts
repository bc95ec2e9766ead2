import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  type PageWatch,
  screenshot,
  signInAs,
  watchPage,
} from '#test/helpers/browser.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { proposeAndConfirm, waitForOperation } from '#test/helpers/operations.ts';
import { deliver, eventually, stripeDelivery, webhookSecret } from '#test/helpers/webhooks.ts';

const sam = { sub: 'sam', roles: ['sales'] };
const abe = { sub: 'abe', roles: ['approver'] };
const ada = { sub: 'ada', roles: ['admin'] };
const aud = { sub: 'aud', roles: ['auditor'] };

describe('the console: operators’ and auditors’ pages in a browser', { timeout: 240_000 }, () => {
  let local: LocalHarness;
  let browser: Browser;
  let context: BrowserContext | undefined;

  // Local mode and Chromium start together; both take seconds on a busy machine. Switches are
  // reread every 100 ms here, so a switch shows in the tool's answer without a long wait.
  beforeAll(async () => {
    [local, browser] = await Promise.all([
      startLocalHarness(
        { SWITCHES_MAX_STALE_MS: '100' },
        { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 },
      ),
      launchChromium(),
    ]);
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    await local.faults('erp', null);
  });
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
  });

  const laptop = { width: 1280, height: 900 };
  const phone = { width: 390, height: 844 };

  /** A person signed in on `path` in a new browser session. */
  async function signedIn(
    person: { sub: string; roles: string[] },
    path: string,
    viewport = laptop,
  ): Promise<{ page: Page; watch: PageWatch }> {
    context = await browser.newContext({ viewport, acceptDownloads: true });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const watch = watchPage(page);
    await page.goto(`${local.url}${path}`);
    await signInAs(page, person);
    await page.waitForURL(`${local.url}${path}`);
    return { page, watch };
  }

  const heading = (page: Page, name: string | RegExp) =>
    page.getByRole('heading', { level: 1, name });
  const nav = (page: Page) => page.getByRole('navigation', { name: 'Sections' });
  const status = (page: Page, text: string | RegExp) =>
    page.getByRole('status').filter({ hasText: text });

  /** Whether the page scrolls sideways (it must not, on a phone). */
  const sideways = (page: Page) =>
    page.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return root.scrollWidth > root.clientWidth;
    });

  it('follows a rolled-back order in Operations: filtered out of the list, its steps done and undone', async () => {
    // Arrange: the ERP refuses every new order, so the saga undoes the stock reservation
    await local.faults('erp', { errorRate: 1, status: 400, operation: 'orders.create' });
    const { operationId } = await proposeAndConfirm(
      local,
      'create_order',
      // About 1,400 EUR: over the four-eyes threshold, so abe approves it
      { customerId: 'C-00021', lines: [{ sku: 'SKU-10005', quantity: 3 }] },
      sam,
      abe,
    );
    const done = await waitForOperation(local, operationId, abe);
    expect(done.status).toBe('rolled_back');
    const { page, watch } = await signedIn(abe, '/console/operations');

    // Act: filter by status and tool
    await heading(page, 'Operations').waitFor();
    await page.getByLabel('Status').selectOption('rolled_back');
    await page.getByLabel('Tool').fill('create_order');
    await page.getByRole('button', { name: 'Search' }).click();

    // Assert: the address holds the filters; the list shows the operation as rolled back
    await page.waitForURL(/status=rolled_back&tool=create_order/);
    const row = page.getByRole('row').filter({ hasText: operationId });
    await row.waitFor();
    expect(await row.textContent()).toContain('rolled back');
    expect(await row.textContent()).toContain('sam');
    await screenshot(page, 'operations');

    // Act: open it
    await row.getByRole('link', { name: operationId }).click();

    // Assert: each step, what happened to it, its attempts and undo attempts, and the error
    await heading(page, /create_order/).waitFor();
    await status(page, 'Rolled back').waitFor();
    const steps = page.getByRole('table', { name: /Each step/ });
    const reserve = await steps.getByRole('row').filter({ hasText: 'reserve_stock' }).textContent();
    const create = await steps.getByRole('row').filter({ hasText: 'create_order' }).textContent();
    expect(reserve).toContain('done, then undone');
    expect(create).toContain('failed');
    expect(await page.getByRole('main').textContent()).toContain(done.error.code);
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'operation-rolled-back');
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('finds a call by its request id in Audit, follows its conversation in order and exports it as CSV', async () => {
    // Arrange: sam's agent makes three calls in one conversation; one reason is a formula
    const conversationId = `conv-audit-${Date.now()}`;
    const formula = '=HYPERLINK("http://evil.example","open me")';
    const calls = [
      { tool: 'get_customer', body: { customerId: 'C-00021' }, reason: 'Who is the customer?' },
      { tool: 'get_order_status', body: { orderId: 'SO-100001' }, reason: formula },
      { tool: 'check_inventory', body: { skus: ['SKU-10002'] }, reason: 'Is it in stock?' },
    ];
    const requestIds: string[] = [];
    for (const call of calls) {
      const res = await local.call('POST', `/tools/${call.tool}`, {
        as: sam,
        body: call.body,
        headers: { 'x-conversation-id': conversationId, 'x-agent-reason': call.reason },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      requestIds.push(res.headers.get('x-request-id') ?? '');
    }
    const orderCall = requestIds[1] ?? '';
    // The records reach the audit table a moment after the answers (the audit log's tailer).
    await local.auditDelivered();
    const { page, watch } = await signedIn(aud, '/console/audit');

    // Act: search by the second call's request id
    await heading(page, 'Audit').waitFor();
    await page.getByLabel('Request id').fill(orderCall);
    await page.getByRole('button', { name: 'Search' }).click();

    // Assert: exactly that call
    await status(page, '1 call.').waitFor();
    const rows = page.getByRole('table', { name: /Calls/ }).getByRole('row');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toContain('get_order_status');
    await screenshot(page, 'audit');

    // Act: its detail, then the whole conversation
    await rows.nth(1).getByRole('link', { name: orderCall }).click();
    await heading(page, /get_order_status/).waitFor();
    const detail = (await page.getByRole('main').textContent()) ?? '';
    expect(detail).toContain(formula);
    expect(detail).toContain('SO-100001');
    const upstream = page.getByRole('table', { name: /request id/ });
    expect(await upstream.getByRole('row').filter({ hasText: 'erp' }).count()).toBeGreaterThan(0);
    await screenshot(page, 'audit-record');
    await page.getByRole('link', { name: 'Follow conversation' }).click();

    // Assert: every call of the conversation, oldest first
    await status(page, '3 calls.').waitFor();
    const tools = await page
      .getByRole('table', { name: /Calls in this conversation, oldest first/ })
      .getByRole('row')
      .evaluateAll((found) => found.slice(1).map((row) => row.textContent ?? ''));
    expect(tools.map((text) => calls.findIndex((call) => text.includes(call.tool)))).toEqual([
      0, 1, 2,
    ]);
    await screenshot(page, 'audit-conversation');

    // Act: export it
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const download = await downloading;
    const csv = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');

    // Assert: a header and the three calls in order; the formula is text, quotes doubled
    await status(page, 'Exported 3 records').waitFor();
    expect(download.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    const lines = csv.split('\r\n');
    expect(lines[0]?.startsWith('at,auditId,requestId,user,')).toBe(true);
    expect(
      lines.slice(1, 4).map((line) => requestIds.findIndex((id) => line.includes(id))),
    ).toEqual([0, 1, 2]);
    expect(lines[4]).toBe('');
    expect(lines.length).toBe(5);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""open me"")"`);
    expect(csv).not.toMatch(/,=HYPERLINK/);
    expect(lines.slice(1, 4).every((line) => line.includes(conversationId))).toBe(true);
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('lets an admin switch the ERP off and on in Systems; the tool answers 503 in between', async () => {
    // Arrange: some ERP calls, a few refused, so the charts have a minute to draw
    const orderStatus = () =>
      local.call('POST', '/tools/get_order_status', { as: sam, body: { orderId: 'SO-100001' } });
    expect((await orderStatus()).status).toBe(200);
    for (let call = 0; call < 12; call++) await orderStatus();
    await local.faults('erp', { errorRate: 1, status: 404, operation: 'orders.get' });
    for (let call = 0; call < 3; call++) await orderStatus();
    await local.faults('erp', null);
    await eventually('the ERP calls to be counted', async () => {
      const systems = await local.call('GET', '/systems', { as: sam });
      const erp = systems.body.systems?.find((system: { id: string }) => system.id === 'erp');
      return erp?.totals.calls >= 16 ? true : undefined;
    });
    const { page, watch } = await signedIn(ada, '/console/systems');
    await heading(page, 'Systems').waitFor();
    const erp = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: /erp/ }) });
    await erp.getByRole('img', { name: /Calls and errors/ }).waitFor();
    await screenshot(page, 'systems');

    // Act: switch it off, with a reason
    await erp.getByLabel('Reason').fill('ERP maintenance until 14:00');
    await erp.getByRole('button', { name: 'Switch off' }).click();

    // Assert: the card says so, and the tool answers 503 naming the reason
    await erp.getByRole('button', { name: 'Switch on' }).waitFor();
    expect(await erp.textContent()).toContain('ERP maintenance until 14:00');
    const refused = await eventually('the ERP tool to answer 503', async () => {
      const res = await orderStatus();
      return res.status === 503 ? res : undefined;
    });
    expect(refused.body.error.code).toBe('upstream_unavailable');
    expect(refused.body.error.message).toContain('ERP maintenance until 14:00');
    await screenshot(page, 'systems-switched-off');

    // Act: switch it back on
    await erp.getByRole('button', { name: 'Switch on' }).click();

    // Assert
    await erp.getByRole('button', { name: 'Switch off' }).waitFor();
    await eventually('the ERP tool to answer 200', async () =>
      (await orderStatus()).status === 200 ? true : undefined,
    );
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('shows a non-admin the systems without switches, readable on a phone', async () => {
    // Arrange, act
    const { page, watch } = await signedIn(sam, '/console/systems', phone);
    await heading(page, 'Systems').waitFor();
    await status(page, /\d+ systems?\./).waitFor();

    // Assert
    expect(await page.getByRole('button', { name: /Switch (off|on)/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Invalidate cache/ }).count()).toBe(0);
    expect(await page.getByRole('img', { name: /Latency/ }).count()).toBeGreaterThan(0);
    expect(await sideways(page), 'no sideways scrolling on a phone').toBe(false);
    await screenshot(page, 'systems-phone');
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('flags a quiet webhook source in Webhooks and lists the events of one that delivers', async () => {
    // Arrange: Stripe delivers an event; the other configured sources sent nothing in 24 hours
    const delivery = stripeDelivery(await webhookSecret(local, 'stripe'));
    const sent = await deliver(local, 'stripe', delivery.body, delivery.headers);
    expect(sent.status).toBe(202);
    const { page, watch } = await signedIn(abe, '/console/webhooks');

    // Act
    await heading(page, 'Webhooks').waitFor();
    const sources = page.getByRole('table', { name: 'Deliveries per source' });
    await sources.waitFor();

    // Assert: the quiet sources stand out, Stripe does not
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: /went quiet/ }).waitFor();
    const stripe = await sources.getByRole('row').filter({ hasText: 'stripe' }).textContent();
    expect(stripe).toContain('delivering');
    const quietRows = sources.getByRole('row').filter({ hasText: 'quiet' });
    expect(await quietRows.count()).toBeGreaterThan(0);
    expect(await quietRows.first().textContent()).toContain('No event in the last 24 hours');

    // Act: the event log of Stripe only
    await page.getByLabel('Source', { exact: true }).selectOption('stripe');
    await page.getByRole('button', { name: 'Search' }).click();

    // Assert
    await page.waitForURL(/source=stripe/);
    const events = page.getByRole('table', { name: /Events/ });
    await events.getByRole('row').filter({ hasText: delivery.id }).waitFor();
    const others = await events
      .getByRole('row')
      .evaluateAll(
        (rows) => rows.slice(1).filter((row) => !row.textContent?.includes('stripe')).length,
      );
    expect(others).toBe(0);
    await screenshot(page, 'webhooks');
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });

  it('hides the links a role cannot use and names the role on a page opened without it', async () => {
    // Arrange, act: sam (sales) opens the Webhooks page directly
    const { page, watch } = await signedIn(sam, '/console/webhooks');

    // Assert
    await heading(page, 'Not allowed').waitFor();
    expect(await page.getByRole('main').textContent()).toContain(
      'The Webhooks page needs the role admin, approver or auditor',
    );
    const links = await nav(page).getByRole('link').allTextContents();
    expect(links).toEqual(['Approvals', 'Operations', 'Audit', 'Systems', 'Connections']);
    expect(await page.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);

    // Act: the pages he may open say whose records he sees, with no filter for others'
    await nav(page).getByRole('link', { name: 'Audit' }).click();
    await heading(page, 'Audit').waitFor();
    expect(await page.getByLabel('User').count()).toBe(0);
    await nav(page).getByRole('link', { name: 'Operations' }).click();
    await heading(page, 'Operations').waitFor();
    expect(await page.getByLabel('Owner').count()).toBe(0);
    expect(watch).toEqual({ dialogs: [], errors: [], consoleErrors: [] });
  });
});
