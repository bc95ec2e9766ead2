import { buildConsole } from './build.ts';

/**
 * `node --import tsx functions/console/build-cli.ts <outdir>`: builds the web console into
 * `outdir`. The CDK app runs it after bundling the console function, into its bundle.
 */
const [outdir] = process.argv.slice(2);
if (!outdir) {
  console.error('Usage: node --import tsx functions/console/build-cli.ts <outdir>');
  process.exit(2);
}
const built = await buildConsole(outdir);
console.error(`Toolgate console built in ${built.outdir}: ${built.files.join(', ')}`);
