import type { BuildOptions } from 'esbuild';

/**
 * How every Lambda function is bundled, in one place: the CDK app's NodejsFunction bundling and
 * `npm run bench` (bundle size, cold init) both read it, so the bench measures what ships.
 *
 * The AWS SDK v3 clients are bundled rather than taken from the runtime: the bundle is then
 * pinned to the versions tested here, and esbuild drops what a function does not use.
 */
const REQUIRE_SHIM =
  "import { createRequire as __toolgateCreateRequire } from 'node:module'; const require = __toolgateCreateRequire(import.meta.url);";

export const lambdaBundling = {
  target: 'node24',
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  /** esbuild options equivalent to the NodejsFunction settings above. */
  esbuild: {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_SHIM },
    legalComments: 'none',
  } satisfies BuildOptions,
} as const;
