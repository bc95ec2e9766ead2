import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalMode } from '#local/start-local.ts';
import { measureAuditWrite } from './audit.ts';
import { measureBundles } from './bundles.ts';
import { measureAddedLatency } from './latency.ts';
import { measureMcpVersusRest } from './mcp.ts';

/**
 * `npm run bench`: the gateway's added latency per read call (local mode vs the sandbox
 * directly), each function bundle's size, and cold init time. Prints figures; asserts nothing.
 */
const iterations = Number(process.env.BENCH_ITERATIONS ?? 1000);
const coldStarts = Number(process.env.BENCH_COLD_STARTS ?? 10);

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const dataDir = await mkdtemp(join(tmpdir(), 'toolgate-bench-'));
// The per-user limit stays on (its round trip is part of every call) but high enough never to refuse.
const local = await startLocalMode({ port: 0, dataDir, env: { USER_RATE_LIMIT: '100000000/60' } });
try {
  console.log(
    `Added latency per read call, ${iterations} sequential calls each (Node ${process.version}):`,
  );
  console.table(await measureAddedLatency(local, iterations));
  console.log(
    'Of which the synchronous audit write (DynamoDB PutItem on dynalite), measured alone:',
  );
  console.table([await measureAuditWrite(local, iterations)]);
  const mcp = await measureMcpVersusRest(local, Number(process.env.BENCH_MCP_CALLS ?? 2000), 8);
  console.log(
    'tools/call throughput, MCP against REST, same tool and load (8 concurrent clients):',
  );
  console.table(mcp.rows);
  console.log(`MCP throughput / REST throughput = ${mcp.ratio} (goal: at least 0.5)`);
} finally {
  await local.close();
  await rm(dataDir, { recursive: true, force: true });
}
console.log(
  `Function bundles (esbuild, ESM, minified, as the CDK app builds them) and cold init in fresh processes:`,
);
console.table(await measureBundles(coldStarts));
console.log('Goals: added p50 <= 1 ms, added p99 <= 5 ms, bundle <= 250 KB.');
