import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** How the console signs people in, and where its browser code may connect. */
export interface ConsoleSettings {
  /** The OIDC issuer people sign in with. */
  readonly issuer: string;
  /**
   * Its OIDC client id (CONSOLE_CLIENT_ID); unset, nobody can sign in, and the console says which
   * setting is missing.
   */
  readonly clientId: string | undefined;
  /** The audience the API expects of their access tokens. */
  readonly audience: string;
  readonly scope: string;
  /** Origins besides the gateway's and the issuer's (a token endpoint on another host). */
  readonly connectOrigins: readonly string[];
}

/** One file the console function serves. */
export interface ConsoleFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  /** Named by its content hash: browsers and caches may keep it for good. */
  readonly immutable: boolean;
  readonly encoded: Readonly<Partial<Record<Encoding, Buffer>>>;
}
type Encoding = 'br' | 'gzip';

/** The built console (functions/console/build.ts): `index.html` and the files it names. */
export interface ConsoleSite {
  readonly index: ConsoleFile;
  readonly files: ReadonlyMap<string, ConsoleFile>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};
const SUFFIXES: Readonly<Record<string, Encoding>> = { '.br': 'br', '.gz': 'gzip' };

/** Weak: the same tag stands for each encoding of a file, which are not byte for byte equal. */
const etagOf = (body: Buffer): string =>
  `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;

const fileOf = (
  body: Buffer,
  type: string,
  immutable: boolean,
  encoded: ConsoleFile['encoded'] = {},
): ConsoleFile => ({ body, type, etag: etagOf(body), immutable, encoded });

/**
 * Reads a built console from `dir`: each file with its type, ETag and compressed copies.
 *
 * @example
 * const site = await loadConsoleSite('.toolgate/console');
 */
export async function loadConsoleSite(dir: string): Promise<ConsoleSite> {
  const names = await readdir(dir);
  const files = new Map<string, ConsoleFile>();
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const encoded: Partial<Record<Encoding, Buffer>> = {};
    for (const [suffix, encoding] of Object.entries(SUFFIXES))
      if (names.includes(`${name}${suffix}`))
        encoded[encoding] = await readFile(join(dir, `${name}${suffix}`));
    files.set(name, fileOf(await readFile(join(dir, name)), type, name !== 'index.html', encoded));
  }
  const index = files.get('index.html');
  if (!index) throw new Error(`The console is not built in ${dir}: it has no index.html`);
  return { index, files };
}

/**
 * The headers of every answer: a Content-Security-Policy that lets the page run only the
 * console's own script and style sheet (no inline script or style, no eval, no plugins, no
 * frames, no framing), call only the gateway and the issuer, and hand strings to no HTML sink
 * (Trusted Types): text an agent wrote can only ever be text.
 */
export function securityHeaders(settings: ConsoleSettings): Record<string, string> {
  const connect = [
    "'self'",
    ...new Set([new URL(settings.issuer).origin, ...settings.connectOrigins]),
  ].join(' ');
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self'",
      `connect-src ${connect}`,
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "require-trusted-types-for 'script'",
      "trusted-types 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}

/** The encodings a request accepts, from `Accept-Encoding` (`q=0` refuses one). */
function accepted(header: string | undefined): Set<string> {
  const found = new Set<string>();
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((item) => item.trim());
    const q = params.find((param) => param.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) found.add(name);
  }
  return found;
}

/** A file named like one (`app.js`, `x.png`): a missing one is 404, not the console's page. */
const looksLikeFile = (path: string): boolean => /\.[A-Za-z0-9]+$/.test(path);

/**
 * GET /console and GET /console/{proxy+}: the console's files; `config.json`, its sign-in
 * settings; and, for every other path, `index.html`, so that each page of the console (an
 * `approveUrl`, the sign-in callback) opens directly. Hashed files are cached for good, the rest
 * revalidated by ETag.
 *
 * @example
 * const serve = serveConsole(() => loadConsoleSite(dir), settings);
 * await serve(event); // { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', … }, … }
 */
export function serveConsole(
  site: () => Promise<ConsoleSite>,
  settings: ConsoleSettings,
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  const headers = securityHeaders(settings);
  const config = fileOf(
    Buffer.from(
      JSON.stringify({
        issuer: settings.issuer,
        ...(settings.clientId ? { clientId: settings.clientId } : {}),
        audience: settings.audience,
        scope: settings.scope,
      }),
    ),
    TYPES['.json'] as string,
    false,
  );
  return async (event) => {
    const common = {
      ...headers,
      'x-request-id': event.requestContext.requestId,
      ...(event.headers['x-forwarded-proto'] === 'https'
        ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }
        : {}),
    };
    const path = event.pathParameters?.proxy ?? '';
    const { index, files } = await site();
    const file =
      path === 'config.json'
        ? config
        : (files.get(path) ?? (looksLikeFile(path) ? undefined : index));
    if (!file) {
      return {
        statusCode: 404,
        headers: { ...common, 'content-type': 'text/plain; charset=utf-8' },
        body: `The console has no file ${path}.`,
      };
    }
    const fileHeaders: Record<string, string> = {
      ...common,
      'content-type': file.type,
      etag: file.etag,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(Object.keys(file.encoded).length > 0 ? { vary: 'accept-encoding' } : {}),
    };
    const known = event.headers['if-none-match']?.split(',').map((tag) => tag.trim());
    if (known?.includes(file.etag) || known?.includes('*'))
      return { statusCode: 304, headers: fileHeaders };
    const accepts = accepted(event.headers['accept-encoding']);
    const encoding = (['br', 'gzip'] as const).find(
      (candidate) => accepts.has(candidate) && file.encoded[candidate],
    );
    const body = encoding ? (file.encoded[encoding] as Buffer) : file.body;
    return {
      statusCode: 200,
      headers: { ...fileHeaders, ...(encoding ? { 'content-encoding': encoding } : {}) },
      body: body.toString('base64'),
      isBase64Encoded: true,
    };
  };
}
