import type { BuildOptions } from 'esbuild';

/**
 * How every Lambda function is bundled, in one place: the CDK app's NodejsFunction bundling and
 * `npm run bench` (bundle size, cold init) both read it, so the bench measures what ships.
 *
 * The AWS SDK v3 clients are bundled rather than taken from the runtime: the bundle is then
 * pinned to the versions tested here, and esbuild drops what a function does not use.
 */
/**
 * Modules swapped in every Lambda bundle: the SDK's default credential chain for the
 * environment-variable provider Lambda needs (layers/aws/lambda-credentials.ts).
 */
const ALIASES = {
  '@aws-sdk/credential-provider-node': './layers/aws/lambda-credentials.ts',
};

/**
 * Left out of every bundle unless the deployment turns Powertools Tracer on
 * (`-c powertoolsTracer=on`): the handlers import it only then (layers/observability/tracer.ts),
 * and it would add about 120 KB, with the X-Ray SDK, to every function.
 */
export const TRACER_MODULES = ['@aws-lambda-powertools/tracer'] as const;

/**
 * Left out of every bundle: PGlite is local mode's embedded database (layers/sql/pglite-driver.ts),
 * never used on AWS, and `pg` loads its optional native binding only when asked, which the
 * gateway never does.
 */
export const NEVER_BUNDLED = ['@electric-sql/pglite', 'pg-native'] as const;

const REQUIRE_SHIM =
  "import { createRequire as __toolgateCreateRequire } from 'node:module'; const require = __toolgateCreateRequire(import.meta.url);";

export const lambdaBundling = {
  target: 'node24',
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  /** The same swaps as NodejsFunction's `esbuildArgs`. */
  esbuildArgs: Object.fromEntries(
    Object.entries(ALIASES).map(([from, to]) => [`--alias:${from}`, to]),
  ),
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
    alias: ALIASES,
    external: [...TRACER_MODULES, ...NEVER_BUNDLED],
  } satisfies BuildOptions,
} as const;

/**
 * The commands that build the web console into a function's bundle, `console/` beside the handler
 * (functions/console/handler.ts reads it there). NodejsFunction runs them after esbuild, in the
 * project root; the bundle's asset hash then covers the console's files too.
 */
export const consoleAssetsCommands = (outputDir: string): string[] => [
  `node --disable-warning=ExperimentalWarning --import tsx functions/console/build-cli.ts ${shellQuoted(`${outputDir}/console`)}`,
];

const shellQuoted = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The command that puts the Cedar engine's WebAssembly beside a function's handler (about 4.2 MB,
 * 1.4 MB compressed; read only when a tool a rule names is called,
 * layers/argument-policy/cedar-engine.ts). The rules themselves are part of the policy, which the
 * function reads from AppConfig. NodejsFunction runs it after esbuild, in the project root.
 */
export const argumentRulesAssetsCommands = (outputDir: string): string[] => [
  `cp node_modules/@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm ${shellQuoted(outputDir)}/`,
];
