import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileAuditLog } from '#layers/audit/audit-log.ts';
import { percentile, round } from './stats.ts';

/**
 * The cost of the audit write alone, as the gateway makes it before it answers: one JSON line
 * appended synchronously to a file (local mode's AUDIT_LOG_FILE; stdout on Lambda). Delivery to
 * the audit table happens after the answer (the tailer, the subscription on AWS): no call waits
 * for it.
 */
export async function measureAuditWrite(iterations: number) {
  const dir = await mkdtemp(join(tmpdir(), 'toolgate-bench-audit-'));
  const log = fileAuditLog(join(dir, 'gateway.log'));
  const samples: number[] = [];
  for (let index = 0; index < iterations + 50; index++) {
    const started = performance.now();
    log.write({
      requestId: `bench-${index}`,
      at: new Date(),
      sub: 'bench',
      roles: ['admin'],
      tool: 'get_order_status',
      input: { orderId: 'SO-100001' },
      outcome: 'success',
      statusCode: 200,
      durationMs: 1,
    });
    if (index >= 50) samples.push(performance.now() - started);
  }
  await rm(dir, { recursive: true, force: true });
  return {
    'audit line write p50 ms': round(percentile(samples, 50)),
    'audit line write p99 ms': round(percentile(samples, 99)),
    iterations,
  };
}
