import { spawnSync } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { functions } from '#functions/manifest.ts';
import { lambdaBundling } from '#infra/bundling.ts';
import { percentile, round } from './stats.ts';

/** Environment a function needs to get through its cold start (nothing is called). */
const coldStartEnv = {
  AUDIT_TABLE_NAME: 'bench-audit',
  JWT_ISSUER: 'https://issuer.example.com',
  JWT_AUDIENCE: 'toolgate',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  TOOL_NAME: 'create_ticket',
  IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
  OPERATIONS_TABLE_NAME: 'bench-operations',
  CONFIRMATIONS_TABLE_NAME: 'bench-confirmations',
  WRITE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-writes',
  RESILIENCE_TABLE_NAME: 'bench-resilience',
  WEBHOOK_TABLE_NAME: 'bench-webhooks',
  EVENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-events',
};

/**
 * Bundles every function entry with the CDK app's esbuild settings, reports the size, and times
 * the cold init (module load and dependency construction) in fresh Node processes.
 */
export async function measureBundles(coldStarts: number) {
  const outdir = await mkdtemp(join(tmpdir(), 'toolgate-bundles-'));
  const results = [];
  for (const entry of functions) {
    const outfile = join(outdir, entry.name, 'index.mjs');
    await build({
      ...lambdaBundling.esbuild,
      entryPoints: [entry.entry],
      outfile,
      logLevel: 'silent',
    });
    const bytes = (await stat(outfile)).size;
    const samples: number[] = [];
    for (let run = 0; run < coldStarts; run++) {
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`,
        ],
        { env: { ...process.env, ...coldStartEnv }, encoding: 'utf8' },
      );
      if (child.status !== 0)
        throw new Error(`cold start of ${entry.name} failed: ${child.stderr}`);
      samples.push(Number(child.stdout.trim()));
    }
    results.push({
      function: entry.name,
      'bundle KB': round(bytes / 1024, 1),
      'cold init p50 ms': round(percentile(samples, 50), 1),
      'cold init max ms': round(Math.max(...samples), 1),
      runs: coldStarts,
    });
  }
  return results;
}
