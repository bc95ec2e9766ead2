/**
 * Local mode in a process of its own, for tests that kill it (test/integration/audit-kill.test.ts):
 * started on free ports over the data directory TOOLGATE_DATA_DIR and the DynamoDB at
 * CHILD_DYNAMODB_ENDPOINT (the test's, so the tables outlive this process), it prints one JSON line,
 * `{"url", "token"}`, once it answers; SIGTERM closes it.
 */
import { startLocalMode } from '#local/start-local.ts';

const local = await startLocalMode({
  port: 0,
  dataDir: process.env.TOOLGATE_DATA_DIR ?? '',
  dynamodbEndpoint: process.env.CHILD_DYNAMODB_ENDPOINT ?? '',
  auditTailIntervalMs: Number(process.env.CHILD_AUDIT_TAIL_INTERVAL_MS ?? 100),
});
const token = await local.issuer.issue({ sub: 'kill-test', roles: ['support'] });
process.stdout.write(`${JSON.stringify({ url: local.url, token })}\n`);
process.on('SIGTERM', () => {
  void local.close().then(() => process.exit(0));
});
