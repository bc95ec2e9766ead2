import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInAs, watchPage } from '#test/helpers/browser.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

describe('the console: Connections in a browser', { timeout: 240_000 }, () => {
  let local: LocalHarness;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    [local, browser] = await Promise.all([
      startLocalHarness({ SYSTEM_CRM_CREDENTIAL: 'user' }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await local?.stop();
  });

  it('connects the CRM from an agent’s connectUrl, then revokes it', async () => {
    // Arrange: the link an agent relays after connection_required
    context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const watch = watchPage(page);
    await page.goto(`${local.url}/console/connections?connect=crm`);
    await signInAs(page, { sub: 'ana', roles: ['support'] });
    // Act: the CRM's consent page names the person; they allow
    await page.getByRole('heading', { name: 'Connect Toolgate to the CRM' }).waitFor();
    await page.locator('strong', { hasText: 'ana' }).first().waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    // Assert: back on Connections, connected, and the tool answers with ana's own data
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    const row = page.getByRole('row', { name: /CRM \(HubSpot-compatible\)/ });
    await row.getByRole('cell', { name: 'Connected', exact: true }).waitFor();
    const call = await local.call('POST', '/tools/get_customer', {
      as: { sub: 'ana', roles: ['support'] },
      body: { customerId: 'C-00001' },
    });
    expect(call.status).toBe(200);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('cell', { name: 'Not connected' }).waitFor();
    expect(watch.errors).toEqual([]);
    expect(watch.consoleErrors, watch.consoleErrors.join('\n')).toEqual([]);
  });
});
