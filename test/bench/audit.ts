import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuditRepository } from '#layers/audit/audit-repository.ts';
import { createDocumentClient } from '#layers/aws/clients.ts';
import type { LocalMode } from '#local/start-local.ts';
import { percentile, round } from './stats.ts';

/**
 * The cost of the synchronous audit write alone (one DynamoDB PutItem per call, as the gateway
 * does before it answers), against local mode's dynalite.
 */
export async function measureAuditWrite(local: LocalMode, iterations: number) {
  const client = new DynamoDBClient({
    endpoint: local.emulators.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const repository = new DynamoAuditRepository({
    client: createDocumentClient(client),
    tableName: local.functionEnv.AUDIT_TABLE_NAME ?? '',
    retentionDays: 1,
  });
  const samples: number[] = [];
  for (let index = 0; index < iterations + 50; index++) {
    const started = performance.now();
    await repository.put({
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
  client.destroy();
  return {
    'audit PutItem p50 ms': round(percentile(samples, 50)),
    'audit PutItem p99 ms': round(percentile(samples, 99)),
    iterations,
  };
}
