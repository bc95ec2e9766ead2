import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newAuditId } from '#layers/audit/audit-id.ts';
import { type AuditRecord, auditItem } from '#layers/audit/audit-repository.ts';
import { createDocumentClient } from '#layers/aws/clients.ts';
import type { LocalMode } from '#local/start-local.ts';
import { percentile, round } from './stats.ts';

const TOOLS = ['get_customer', 'get_customer_orders', 'get_order_status', 'check_inventory'];
const DAY_MS = 86_400_000;

/**
 * Loads `count` audit records straight into local mode's audit table (BatchWriteItem, 25 at a
 * time, in the repository's own item shape): 200 callers, conversations of 20 calls, spread over
 * the last 30 days.
 */
async function loadRecords(local: LocalMode, count: number) {
  const client = new DynamoDBClient({
    endpoint: local.emulators.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = createDocumentClient(client);
  const tableName = local.functionEnv.AUDIT_TABLE_NAME ?? '';
  const now = Date.now();
  const record = (index: number): AuditRecord => ({
    requestId: `bench-${index}`,
    at: new Date(now - Math.floor(((index * 7919) % count) * ((30 * DAY_MS) / count))),
    sub: `user-${index % 200}`,
    roles: ['support'],
    tool: TOOLS[index % TOOLS.length] as string,
    input: { customerId: `C-${String(index % 5000).padStart(5, '0')}` },
    conversationId: `conv-${Math.floor(index / 20)}`,
    outcome: index % 17 === 0 ? 'error' : 'success',
    statusCode: index % 17 === 0 ? 503 : 200,
    durationMs: 5 + (index % 40),
  });
  const batches = Math.ceil(count / 25);
  let next = 0;
  const worker = async () => {
    for (let batch = next++; batch < batches; batch = next++) {
      const items = Array.from({ length: Math.min(25, count - batch * 25) }, (_, offset) => {
        const item = record(batch * 25 + offset);
        return auditItem(item, {
          at: item.at.toISOString(),
          auditId: newAuditId(item.at),
          retentionSeconds: 86_400 * 365,
        });
      });
      let pending: Record<string, unknown>[] = items.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const answer = await documents.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
        );
        pending = (answer.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  client.destroy();
}

/**
 * GET /audit's latency over HTTP against `count` records in local mode (dynalite): a caller's own
 * records, a conversation (as an auditor), and an auditor's search of one day of everyone's.
 */
export async function measureAuditSearch(local: LocalMode, count: number, queries: number) {
  const loadStarted = performance.now();
  await loadRecords(local, count);
  const loadSeconds = round((performance.now() - loadStarted) / 1000, 1);
  const auditor = await local.issuer.issue({ sub: 'bench-auditor', roles: ['auditor'] });
  const tokens = new Map<number, string>();
  const userToken = async (user: number) => {
    const known = tokens.get(user);
    if (known) return known;
    const token = await local.issuer.issue({ sub: `user-${user}`, roles: ['support'] });
    tokens.set(user, token);
    return token;
  };
  const day = (index: number) => new Date(Date.now() - ((index % 29) + 1) * DAY_MS);
  const searches: [string, (index: number) => Promise<{ path: string; token: string }>][] = [
    [
      'own records (sub)',
      async (i) => ({ path: '/audit?limit=25', token: await userToken(i % 200) }),
    ],
    [
      'a conversation (auditor)',
      async (i) => ({
        path: `/audit?conversationId=conv-${(i * 37) % Math.floor(count / 20)}`,
        token: auditor,
      }),
    ],
    [
      'one day of everyone (auditor)',
      async (i) => {
        const from = day(i).toISOString().slice(0, 10);
        return { path: `/audit?from=${from}&to=${from}T23:59:59Z&limit=25`, token: auditor };
      },
    ],
  ];
  const rows = [];
  for (const [name, request] of searches) {
    const samples: number[] = [];
    let records = 0;
    for (let index = 0; index < queries + 10; index++) {
      const { path, token } = await request(index);
      const started = performance.now();
      const response = await fetch(`${local.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { records?: unknown[] };
      if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
      if (index >= 10) {
        samples.push(performance.now() - started);
        records += body.records?.length ?? 0;
      }
    }
    rows.push({
      search: name,
      'p50 ms': round(percentile(samples, 50)),
      'p99 ms': round(percentile(samples, 99)),
      'records per answer': round(records / queries, 1),
      queries,
    });
  }
  return { rows, loadSeconds };
}
