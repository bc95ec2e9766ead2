import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { functions } from '#functions/manifest.ts';
import { lambdaBundling } from '#infra/bundling.ts';
import { judge } from './goals.ts';
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
  SAGA_STATE_MACHINE_PREFIX: 'arn:aws:states:us-east-1:000000000000:stateMachine:bench-saga-',
};

/** Goals of the hot-path issue: tool functions and MCP (size), and the cold init of a tool function. */
const goalOf = (name: string): { kb: number; initMs?: number } | undefined =>
  name === 'tools' ? { kb: 250, initMs: 60 } : name === 'mcp' ? { kb: 400 } : undefined;

const verdict = (label: string, value: number, goal: number | undefined) =>
  goal === undefined ? '' : `${judge(label, value, '<=', goal)} (<= ${goal})`;

/**
 * Bundles every function entry with the CDK app's esbuild settings, reports the size, and times
 * the cold init (module load and dependency construction) in fresh Node processes. One more row
 * builds the tool function with the AWS SDK left out and loaded from node_modules, as it would
 * be from the Lambda runtime's own copy: the measurement behind bundling the SDK (README, "What
 * goes into a function's bundle").
 */
export async function measureBundles(coldStarts: number) {
  const outdir = await mkdtemp(join(tmpdir(), 'toolgate-bundles-'));
  // Inside the project, so that the SDK left out of the bundle resolves from node_modules.
  const runtimeSdkDir = await mkdtemp(join(process.cwd(), 'node_modules', '.toolgate-bench-'));
  const results = [];
  const variants = [
    ...functions.map((entry) => ({ name: entry.name, entry: entry.entry, external: false })),
    {
      name: 'tools, SDK from the runtime',
      entry: functions.find((fn) => fn.name === 'tools')?.entry ?? '',
      external: true,
    },
  ];
  try {
    for (const variant of variants) {
      const outfile = join(variant.external ? runtimeSdkDir : outdir, variant.name, 'index.mjs');
      await build({
        ...lambdaBundling.esbuild,
        ...(variant.external ? { external: ['@aws-sdk/*', '@smithy/*'], alias: {} } : {}),
        entryPoints: [variant.entry],
        outfile,
        logLevel: 'silent',
      });
      const bytes = (await stat(outfile)).size;
      const samples = coldInits(outfile, variant.name, coldStarts);
      const goal = goalOf(variant.name);
      const kb = round(bytes / 1024, 1);
      const init = round(percentile(samples, 50), 1);
      results.push({
        function: variant.name,
        'bundle KB': kb,
        'cold init p50 ms': init,
        'cold init max ms': round(Math.max(...samples), 1),
        runs: coldStarts,
        'size goal': verdict(`${variant.name} function: bundle KB`, kb, goal?.kb),
        'init goal': verdict(`${variant.name} function: cold init p50 ms`, init, goal?.initMs),
      });
    }
  } finally {
    await rm(runtimeSdkDir, { recursive: true, force: true });
  }
  return results;
}

function coldInits(outfile: string, name: string, runs: number): number[] {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
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
      throw new Error(`cold start of ${name} failed: ${child.stderr.slice(-1_500)}`);
    samples.push(Number(child.stdout.trim()));
  }
  return samples;
}
