import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTable } from '#layers/audit/audit-table.ts';
import {
  createLocalTables,
  type Emulators,
  localTableNames,
  startEmulators,
} from '#local/emulators.ts';
import { eventually } from '#test/helpers/webhooks.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CHILD = join(ROOT, 'test', 'helpers', 'local-mode-child.ts');

interface Child {
  process: ChildProcess;
  url: string;
  token: string;
  exited: Promise<unknown>;
}

/** Local mode in a child process over `dataDir` and the test's DynamoDB, once it answers. */
async function startChild(
  dataDir: string,
  dynamodbEndpoint: string,
  tailIntervalMs: number,
): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: {
      ...process.env,
      TOOLGATE_DATA_DIR: dataDir,
      CHILD_DYNAMODB_ENDPOINT: dynamodbEndpoint,
      CHILD_AUDIT_TAIL_INTERVAL_MS: String(tailIntervalMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (!line.startsWith('{"url"')) continue;
    const { url, token } = JSON.parse(line) as { url: string; token: string };
    return { process: child, url, token, exited };
  }
  throw new Error('local mode exited before it answered');
}

describe('the audit trail when local mode is killed right after answering', () => {
  let emulators: Emulators;
  let dataDir: string;
  let dynamo: DynamoDBClient;
  const children: Child[] = [];

  beforeAll(async () => {
    // The tables live in this process, so they outlive the local modes it kills.
    emulators = await startEmulators();
    await createLocalTables(emulators.dynamodbEndpoint);
    dynamo = new DynamoDBClient({
      endpoint: emulators.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    dataDir = await mkdtemp(join(tmpdir(), 'toolgate-kill-'));
  });
  afterAll(async () => {
    for (const child of children) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    dynamo?.destroy();
    await emulators?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const recordsOf = async (requestId: string) =>
    (
      await DynamoDBDocumentClient.from(dynamo).send(
        new QueryCommand({
          TableName: localTableNames.audit,
          IndexName: auditTable.byRequestIndex.name,
          KeyConditionExpression: '#id = :id',
          ExpressionAttributeNames: { '#id': auditTable.byRequestIndex.partitionKey },
          ExpressionAttributeValues: { ':id': requestId },
        }),
      )
    ).Items ?? [];

  it('finds the record of the last call once local mode is started again on the same data directory', async () => {
    // Arrange: a local mode whose tailer would not look at the audit log again for a minute
    const first = await startChild(dataDir, emulators.dynamodbEndpoint, 60_000);
    children.push(first);
    const requestId = `killed-${randomUUID()}`;
    // Act: a call, and SIGKILL the moment its answer arrives
    const answer = await fetch(`${first.url}/tools/get_order_status`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${first.token}`,
        'content-type': 'application/json',
        'x-request-id': requestId,
      },
      body: JSON.stringify({ orderId: 'SO-100001' }),
    });
    first.process.kill('SIGKILL');
    await first.exited;
    const beforeRestart = await recordsOf(requestId);
    const second = await startChild(dataDir, emulators.dynamodbEndpoint, 100);
    children.push(second);
    const records = await eventually(
      'the killed call’s audit record',
      async () => {
        const found = await recordsOf(requestId);
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    // Assert: answered, on disk before the kill, not delivered by the killed process, delivered once
    expect(answer.status).toBe(200);
    const log = await readFile(join(dataDir, 'audit-log', 'gateway.log'), 'utf8');
    expect(log).toContain(requestId);
    expect(beforeRestart).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      sub: 'kill-test',
      tool: 'get_order_status',
      outcome: 'success',
      statusCode: 200,
    });
  }, 180_000);
});
