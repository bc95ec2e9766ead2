import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

/** A response's raw bytes: fetch would undo the content encoding this test checks. */
async function get(url: string, headers: Record<string, string> = {}) {
  const { request } = await import('node:http');
  return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers as Record<string, string>,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the web console, as the gateway serves it', () => {
  let local: LocalHarness;
  let index: string;
  let script: string;
  let styles: string;

  beforeAll(async () => {
    local = await startLocalHarness();
    index = (await get(`${local.url}/console/`)).body.toString('utf8');
    script =
      /<script type="module" src="(\/console\/app-[A-Z0-9]+\.js)"><\/script>/.exec(index)?.[1] ??
      '';
    styles =
      /<link rel="stylesheet" href="(\/console\/app-[A-Z0-9]+\.css)">/.exec(index)?.[1] ?? '';
  }, 60_000);
  afterAll(() => local.stop());

  it('answers every console path that is not a file with its page, for deep links and the sign-in callback', async () => {
    for (const path of [
      '/console',
      '/console/',
      '/console/approvals/cf_0123abc',
      '/console/callback?code=x&state=y',
    ]) {
      const res = await get(`${local.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control'], path).toBe('no-cache');
      expect(res.body.toString('utf8'), path).toBe(index);
    }
    expect(script).not.toBe('');
    expect(styles).not.toBe('');
  });

  it('sets a Content-Security-Policy that allows no inline script or style, no eval and no framing, and connects only to itself and the issuer', async () => {
    const res = await get(`${local.url}/console/approvals/cf_1`);

    const policy = Object.fromEntries(
      res.headers['content-security-policy']
        ?.split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name = '', ...values]) => [name, values]) ?? [],
    );
    expect(policy['default-src']).toEqual(["'none'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['style-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual([
      "'self'",
      new URL(local.functionEnv.JWT_ISSUER ?? '').origin,
    ]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['require-trusted-types-for']).toEqual(["'script'"]);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // Nothing inline for the policy to have to allow.
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('serves the hashed script and style sheet with their types, cached for good, compressed when asked', async () => {
    const plain = await get(`${local.url}${script}`);
    const brotli = await get(`${local.url}${script}`, { 'accept-encoding': 'gzip, br' });
    const gzip = await get(`${local.url}${script}`, { 'accept-encoding': 'gzip, br;q=0' });
    const css = await get(`${local.url}${styles}`);

    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.body).equals(plain.body)).toBe(true);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    expect(brotli.headers.vary).toBe('accept-encoding');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers 304 to a request that holds the current ETag', async () => {
    const first = await get(`${local.url}/console/`);
    const again = await get(`${local.url}/console/approvals`, {
      'if-none-match': first.headers.etag ?? '',
    });

    expect(first.headers.etag).toMatch(/^W\/".+"$/);
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers 404 for a file it does not have, not its page', async () => {
    const res = await get(`${local.url}/console/app-MISSING.js`);

    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it("tells the browser code how to sign people in: the issuer, the console's client id and the API's audience", async () => {
    const res = await local.call('GET', '/console/config.json');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({
      issuer: local.functionEnv.JWT_ISSUER,
      clientId: 'toolgate-console',
      audience: local.functionEnv.JWT_AUDIENCE,
      scope: 'openid',
    });
  });
});
