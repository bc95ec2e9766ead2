import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalMode } from '#local/start-local.ts';
import { measureArgumentRules } from './argument-rules.ts';
import { measureAuditWrite } from './audit.ts';
import { measureAuditSearch } from './audit-search.ts';
import { measureBundles } from './bundles.ts';
import { measureConsoleFirstLoad, measureSystemsPage } from './console.ts';
import { printCost } from './cost.ts';
import { measureDeclaredTool } from './declared.ts';
import { measureFieldRules } from './field-rules.ts';
import { goalSummary } from './goals.ts';
import { measureRoundTrips, measureThroughput } from './hot-path.ts';
import { measureAddedLatency } from './latency.ts';
import {
  measureContextOverSlowest,
  measureConversations,
  measureFailFast,
  measureRetryAmplification,
} from './resilience.ts';
import { measureSqlTools } from './sql.ts';
import { measureSystems } from './systems.ts';
import { measureExactlyOnce, measureWebhooks } from './webhooks.ts';

/**
 * `npm run bench`: the gateway's added latency per read call (local mode vs the sandbox
 * directly), each function bundle's size, cold init time, and the console's first load in
 * headless Chromium. Prints figures; asserts nothing.
 */
const iterations = Number(process.env.BENCH_ITERATIONS ?? 1000);
const coldStarts = Number(process.env.BENCH_COLD_STARTS ?? 10);

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const dataDir = await mkdtemp(join(tmpdir(), 'toolgate-bench-'));
const local = await startLocalMode({
  port: 0,
  dataDir,
  env: {
    // The limits stay on (their round trips are part of every call) but never refuse here.
    USER_RATE_LIMIT: '100000000/60',
    SYSTEM_CRM_RATE_LIMIT: '100000000/10',
    // The retry-budget figure is taken on the ERP with its breaker off, to see retries alone.
    SYSTEM_ERP_BREAKER: 'off',
    BREAKER_COOLDOWN_MS: '60000',
  },
});
try {
  console.log(
    `Added latency per read call, ${iterations} sequential calls each (Node ${process.version}):`,
  );
  console.table(await measureAddedLatency(local, iterations));
  const throughputCalls = Number(process.env.BENCH_THROUGHPUT_CALLS ?? 3000);
  console.log(
    `Throughput at 20 connections, every limit on, ${throughputCalls} calls each in 3 interleaved rounds (ERP order read):`,
  );
  const throughput = await measureThroughput(local, throughputCalls, 20);
  console.table(throughput.rows);
  console.table([throughput.goals]);
  console.log(
    'DynamoDB round trips per read call at steady state (counted at the emulator; awaited = p50 rise when each request is held 20 ms, / 20 ms):',
  );
  console.table(await measureRoundTrips(local, Number(process.env.BENCH_ROUND_TRIP_CALLS ?? 200)));
  console.log(
    'Of which the synchronous audit write (one line appended to the audit log file), measured alone:',
  );
  console.table([await measureAuditWrite(iterations)]);
  console.log('Of which the field rules (issue 16: withheld and masked fields), measured alone:');
  console.table(measureFieldRules(iterations));
  console.log(
    'Of which the argument rules (issue 16: Cedar rules on input values), measured alone:',
  );
  console.table(await measureArgumentRules(iterations));
  const token = await local.issuer.issue({
    sub: 'bench',
    roles: ['admin'],
    expiresInSeconds: 3600,
  });
  const context = await measureContextOverSlowest(local, token, 30);
  console.log('get_customer_context against its sources alone, sandboxes at 50/100/200 ms:');
  console.table(context.rows);
  console.log(`context p50 / slowest single source p50 = ${context.ratio} (goal: at most 1.10)`);
  const conversations = await measureConversations(local, 100, 20);
  console.log('100 concurrent conversations of 20 tool calls each (X-Conversation-Id):');
  console.table([conversations.row]);
  console.table(conversations.byTool);
  if (conversations.row.errors > 0) console.log('Errors:', conversations.failures);
  console.log('Calls made to a system failing 50% of its calls (retry budget; breaker off):');
  console.table([await measureRetryAmplification(local, token, 400)]);
  console.log('(goal: ratio at most 1.1)');
  console.log('Answers while the breaker is open (ticketing failing every call):');
  console.table(await measureFailFast(local, token, 500));
  console.log('(goal: p99 at most 2 ms)');
  console.log('Webhook acknowledgement (verify, de-duplicate, queue, 202), Stripe deliveries:');
  console.table(await measureWebhooks(local, Number(process.env.BENCH_WEBHOOKS ?? 1000), 20));
  const webhookLoad = Number(process.env.BENCH_WEBHOOK_LOAD ?? 10_000);
  console.log(
    `Webhooks exactly once under load: ${webhookLoad} Stripe deliveries, 30% redeliveries, shuffled, 25 senders:`,
  );
  console.table([await measureExactlyOnce(local, webhookLoad, 25)]);
  console.log('(goal: every event processed exactly once, none lost)');
  const auditRecords = Number(process.env.BENCH_AUDIT_RECORDS ?? 100_000);
  const auditSearch = await measureAuditSearch(
    local,
    auditRecords,
    Number(process.env.BENCH_AUDIT_QUERIES ?? 200),
  );
  console.log(
    `GET /audit over ${auditRecords} records in local mode (loaded with BatchWriteItem in ${auditSearch.loadSeconds} s), over HTTP:`,
  );
  console.table(auditSearch.rows);
  const sql = await measureSqlTools(local, token, Number(process.env.BENCH_SQL_CALLS ?? 1000));
  console.log(
    `SQL tools over the embedded legacy database (PGlite), over HTTP; the first call created and seeded it in ${sql.firstCallMs} ms:`,
  );
  console.table(sql.rows);
  console.log(
    `connections opened per 1,000 calls: ${sql.connectionsPer1000Calls}; in all, by every function instance of local mode: ${sql.connectionsInProcess} (goal: one per function instance)`,
  );
  const declared = await measureDeclaredTool(local, iterations * 3);
  console.log(
    'A tool declared from OpenAPI against a hand-written one with the same schemas, same upstream call (facilities sandbox), 3 interleaved rounds:',
  );
  console.table(declared.rows);
  console.log(
    `declared minus hand-written, p50: ${declared.addedP50Ms} ms (goal: at most 0.2 ms; ${declared.met ? 'met' : 'not met'})`,
  );
  console.log('The Systems data (GET /systems, every system, 15 minutes of figures):');
  console.table([await measureSystems(local, token, Number(process.env.BENCH_SYSTEMS ?? 200))]);
  const consoleRuns = Number(process.env.BENCH_CONSOLE_RUNS ?? 5);
  console.log(
    `The console's first load in headless Chromium, ${consoleRuns} runs (time until the inbox shows; bytes on the wire):`,
  );
  try {
    console.table(await measureConsoleFirstLoad(local, consoleRuns));
  } catch (error) {
    console.log(`not measured: ${(error as Error).message}`);
  }
  console.log(
    `The console's Systems page in headless Chromium, ${consoleRuns} loads (after the calls above, so its charts have minutes to draw):`,
  );
  try {
    console.table(await measureSystemsPage(local, consoleRuns));
  } catch (error) {
    console.log(`not measured: ${(error as Error).message}`);
  }
  await printCost(local);
} finally {
  await local.close();
  await rm(dataDir, { recursive: true, force: true });
}
console.log(
  `Function bundles (esbuild, ESM, minified, as the CDK app builds them) and cold init in fresh processes:`,
);
console.table(await measureBundles(coldStarts));
console.log('Goals of the hot path (issue 14), as judged above in this run:');
console.table(goalSummary());
