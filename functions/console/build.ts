import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Where the console is served; every file it names is under it. */
export const CONSOLE_PATH = '/console/';
const APP = join(import.meta.dirname, 'app');

/** The files of a built console, by name, as `buildConsole` wrote them. */
export interface ConsoleBuild {
  readonly outdir: string;
  /** Served names: `index.html`, then the script, style sheet and icon, named by their hashes. */
  readonly files: readonly string[];
}

const contentHash = (contents: Buffer): string =>
  createHash('sha256').update(contents).digest('hex').slice(0, 10).toUpperCase();

/** Types worth compressing: a compressed copy is kept only where it is smaller. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg']);

/**
 * Builds the web console (functions/console/app) into `outdir`: one script and one style sheet
 * with content hashes in their names (cached for good), the icon, and `index.html`, which names
 * them (never cached: every page of the console is it). Each text file gets Brotli and gzip copies
 * (`.br`, `.gz`) so the function serves compressed bytes without compressing per request.
 * `compression: 'fast'` (local mode, at each start) trades a few per cent of size for time.
 *
 * @example
 * await buildConsole('.toolgate/console'); // { files: ['index.html', 'app-5XQ2….js', …] }
 */
export async function buildConsole(
  outdir: string,
  options: { compression?: 'best' | 'fast' } = {},
): Promise<ConsoleBuild> {
  const best = (options.compression ?? 'best') === 'best';
  const out = resolve(outdir);
  const result = await build({
    entryPoints: { app: join(APP, 'main.tsx') },
    bundle: true,
    format: 'esm',
    // Browsers of the last two years: no transpiling of what they all run.
    target: ['chrome120', 'edge120', 'firefox121', 'safari17'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    tsconfig: join(APP, 'tsconfig.json'),
    outdir: out,
    write: false,
    logLevel: 'silent',
  });
  const icon = await readFile(join(APP, 'icon.svg'));
  const outputs = [
    ...result.outputFiles.map((file) => ({
      name: basename(file.path),
      contents: Buffer.from(file.contents),
    })),
    { name: `icon-${contentHash(icon)}.svg`, contents: icon },
  ];
  const named = (extension: string) => {
    const found = outputs.find((file) => extname(file.name) === extension);
    if (!found) throw new Error(`The console build made no ${extension} file`);
    return `${CONSOLE_PATH}${found.name}`;
  };
  const template = await readFile(join(APP, 'index.html'), 'utf8');
  const index = template
    .replace('%SCRIPT%', named('.js'))
    .replace('%STYLES%', named('.css'))
    .replace('%ICON%', named('.svg'));
  const files = [{ name: 'index.html', contents: Buffer.from(index) }, ...outputs];

  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  for (const file of files) {
    await writeFile(join(out, file.name), file.contents);
    if (!COMPRESSIBLE.has(extname(file.name))) continue;
    const brotli = brotliCompressSync(file.contents, {
      params: { [constants.BROTLI_PARAM_QUALITY]: best ? constants.BROTLI_MAX_QUALITY : 5 },
    });
    const gzip = gzipSync(file.contents, { level: best ? 9 : 6 });
    if (brotli.length < file.contents.length) await writeFile(join(out, `${file.name}.br`), brotli);
    if (gzip.length < file.contents.length) await writeFile(join(out, `${file.name}.gz`), gzip);
  }
  return { outdir: out, files: files.map((file) => file.name) };
}
