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

/** Milliseconds since this page's navigation started when the inbox's heading and list show. */
const inboxShownAt = async (page: Page): Promise<number> => {
  const handle = await page.waitForFunction(
    () => {
      const doc = (
        globalThis as unknown as {
          document: { querySelector(s: string): { textContent: string | null } | null };
        }
      ).document;
      const loaded = /for a decision/.test(doc.querySelector('[role=status]')?.textContent ?? '');
      return doc.querySelector('h1')?.textContent === 'Approvals' && loaded
        ? performance.now()
        : false;
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
};

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
