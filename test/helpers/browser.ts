import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`; .ci/run installs it): Playwright's own browser
 * builds cannot be downloaded here. CHROMIUM_PATH names another.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A headless Chromium for the browser tests. As root (CI, these machines) Chromium's sandbox
 * cannot start, so it runs without it: it only ever opens local mode's own pages.
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH.`,
    );
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: asRoot ? ['--no-sandbox'] : [],
  });
}

/**
 * What a page did that it should not: dialogs it opened (each dismissed), uncaught errors, and
 * console errors (a Content-Security-Policy violation is one). Empty lists for a well-behaved page.
 */
export interface PageWatch {
  readonly dialogs: string[];
  readonly errors: string[];
  readonly consoleErrors: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { dialogs: [], errors: [], consoleErrors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') watch.consoleErrors.push(message.text());
  });
  return watch;
}

/**
 * Signs in on local mode's sign-in page (local/oidc-provider.ts), as a person does: a user name,
 * roles picked from the list, and Sign in. The page must be on, or on its way to, that page.
 */
export async function signInAs(
  page: Page,
  person: { sub: string; roles: readonly string[] },
  options: { beforeSubmit?: () => Promise<void> } = {},
): Promise<void> {
  await page.getByLabel('User').fill(person.sub);
  await page.getByLabel('Roles').selectOption([...person.roles]);
  await options.beforeSubmit?.();
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const SCREENSHOTS = join(import.meta.dirname, '..', 'browser', 'screenshots');

/**
 * Saves a screenshot for the README (test/browser/screenshots/<name>.png), only when
 * UPDATE_SCREENSHOTS=1: a plain test run leaves the committed pictures, and git status, alone.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    fullPage: options.fullPage ?? true,
  });
}
