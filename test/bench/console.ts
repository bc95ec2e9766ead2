import type { Page, Response } from 'playwright-core';
import type { LocalMode } from '#local/start-local.ts';
import { launchChromium, signInAs } from '#test/helpers/browser.ts';
import { percentile, round } from './stats.ts';

type Part = 'console files' | 'API' | 'sign-in pages';

/** Which part of a first visit a response belongs to. */
function partOf(url: URL): Part {
  if (url.pathname.startsWith('/console')) return 'console files';
  if (url.pathname.startsWith('/_local')) return 'sign-in pages';
  return 'API';
}

/** Bytes as they crossed the wire: headers and the (compressed) body. */
async function tally(page: Page): Promise<() => Promise<Record<Part, number>>> {
  const responses: Response[] = [];
  page.on('response', (response) => responses.push(response));
  return async () => {
    const bytes: Record<Part, number> = { 'console files': 0, API: 0, 'sign-in pages': 0 };
    for (const response of responses) {
      const sizes = await response.request().sizes();
      bytes[partOf(new URL(response.url()))] += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    return bytes;
  };
}

/**
 * Milliseconds since this page's navigation started when its heading is `heading` and its status
 * line (`[role=status]`) says the list loaded (`loaded`).
 */
const shownAt = async (page: Page, heading: string, loaded: RegExp): Promise<number> => {
  const handle = await page.waitForFunction(
    ([title, pattern]) => {
      const doc = (
        globalThis as unknown as {
          document: { querySelector(s: string): { textContent: string | null } | null };
        }
      ).document;
      const status = doc.querySelector('[role=status]')?.textContent ?? '';
      return doc.querySelector('h1')?.textContent === title && new RegExp(pattern).test(status)
        ? performance.now()
        : false;
    },
    [heading, loaded.source] as const,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
};

/** When the inbox's heading and list show. */
const inboxShownAt = (page: Page) => shownAt(page, 'Approvals', /for a decision/);

/**
 * The console's first load in headless Chromium, `runs` times with an empty cache: a person not
 * signed in opens /console/, signs in at the issuer, and waits for the inbox. Then the same tab
 * reloads (signed in, files cached). Bytes are those on the wire, per part.
 */
export async function measureConsoleFirstLoad(local: LocalMode, runs: number) {
  const browser = await launchChromium();
  const first: number[] = [];
  const afterSignIn: number[] = [];
  const reload: number[] = [];
  let firstBytes: Record<Part, number> | undefined;
  let reloadBytes: Record<Part, number> | undefined;
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const bytesOfFirst = await tally(page);
      const started = performance.now();
      await page.goto(`${local.url}/console/`);
      await signInAs(page, { sub: 'bench', roles: ['approver'] });
      afterSignIn.push(await inboxShownAt(page));
      first.push(performance.now() - started);
      firstBytes ??= await bytesOfFirst();
      await context.close();
    }
    // The session lives in the tab's sessionStorage: the same tab reloads.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${local.url}/console/`);
    await signInAs(page, { sub: 'bench', roles: ['approver'] });
    await inboxShownAt(page);
    for (let run = 0; run < runs; run++) {
      const bytesOfReload = await tally(page);
      await page.reload();
      reload.push(await inboxShownAt(page));
      reloadBytes = await bytesOfReload();
      page.removeAllListeners('response');
    }
    await context.close();
  } finally {
    await browser.close();
  }
  const kb = (bytes: number | undefined) => round((bytes ?? 0) / 1024, 1);
  return [
    {
      load: 'first visit: /console/ → sign-in → inbox',
      'p50 ms': round(percentile(first, 50), 0),
      'max ms': round(Math.max(...first), 0),
      'console files KB': kb(firstBytes?.['console files']),
      'API KB': kb(firstBytes?.API),
      'sign-in pages KB': kb(firstBytes?.['sign-in pages']),
    },
    {
      load: '  of which: back from sign-in → inbox',
      'p50 ms': round(percentile(afterSignIn, 50), 0),
      'max ms': round(Math.max(...afterSignIn), 0),
    },
    {
      load: 'reload, signed in, files cached',
      'p50 ms': round(percentile(reload, 50), 0),
      'max ms': round(Math.max(...reload), 0),
      'console files KB': kb(reloadBytes?.['console files']),
      'API KB': kb(reloadBytes?.API),
      'sign-in pages KB': kb(reloadBytes?.['sign-in pages']),
    },
  ];
}

/**
 * The Systems page's load in headless Chromium, `runs` times: an admin, signed in, opens
 * /console/systems in the tab (files cached, as a person who comes back to it), until the heading
 * and every system's card with its charts show. `GET /systems` is timed on its own too.
 */
export async function measureSystemsPage(local: LocalMode, runs: number) {
  const browser = await launchChromium();
  const page: number[] = [];
  const api: number[] = [];
  let cards = 0;
  let apiBytes = 0;
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${local.url}/console/systems`);
    await signInAs(tab, { sub: 'bench', roles: ['admin'] });
    await shownAt(tab, 'Systems', /\d+ systems?\./);
    for (let run = 0; run < runs; run++) {
      const answered = tab.waitForResponse(
        (response) => new URL(response.url()).pathname === '/systems',
      );
      await tab.goto(`${local.url}/console/systems`);
      page.push(await shownAt(tab, 'Systems', /\d+ systems?\./));
      const response = await answered;
      const timing = response.request().timing();
      api.push(timing.responseEnd - timing.requestStart);
      apiBytes = (await response.request().sizes()).responseBodySize;
      cards = await tab.locator('article.system svg[role=img]').count();
    }
    await context.close();
  } finally {
    await browser.close();
  }
  return [
    {
      load: 'Systems page, signed in, files cached: open → cards and charts shown',
      'p50 ms': round(percentile(page, 50), 0),
      'max ms': round(Math.max(...page), 0),
      charts: cards,
    },
    {
      load: '  of which: GET /systems',
      'p50 ms': round(percentile(api, 50), 0),
      'max ms': round(Math.max(...api), 0),
      'API KB': round(apiBytes / 1024, 1),
    },
  ];
}
