import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const admin = { sub: 'root', roles: ['admin'] };
// Where the ERP's credentials are said to live: an ARN, as on AWS; the local secrets file lacks it.
const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:toolgate/erp-AbCdEf';

describe('operator details in agent-facing errors', () => {
  let local: LocalHarness;
  const output: string[] = [];
  const realWrite = process.stdout.write.bind(process.stdout);
  const realErrWrite = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    const capture = ((chunk: unknown) => {
      output.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    local = await startLocalHarness({ POWERTOOLS_LOG_LEVEL: 'WARN', SYSTEM_ERP_SECRET_ID: arn });
  });
  afterAll(async () => {
    process.stdout.write = realWrite;
    process.stderr.write = realErrWrite;
    await local.stop();
  });

  it('tells the agent to involve an operator and keeps secret ids, files and hosts for the logs', async () => {
    // Arrange: the CRM's credentials are wrong, the ERP's secret does not exist
    const original = await readFile(local.secretsFile, 'utf8');
    const broken = JSON.parse(original);
    broken.systems.crm.token = 'not-the-crm-token-at-all';
    await writeFile(local.secretsFile, JSON.stringify(broken));
    // Act
    const missing = await local.call('POST', '/tools/get_order_status', {
      as: admin,
      body: { orderId: 'SO-100001' },
    });
    const refused = await local.call('POST', '/tools/get_customer', {
      as: admin,
      body: { customerId: 'C-00004' },
    });
    await writeFile(local.secretsFile, original);
    // Assert
    expect(missing.status).toBe(502);
    expect(missing.body.error.code).toBe('credentials_unavailable');
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('upstream_auth_failed');
    const answers = JSON.stringify([missing.body, refused.body]);
    for (const detail of [
      arn,
      'secretsmanager',
      'toolgate/erp',
      local.secretsFile,
      'secrets.local.json',
      new URL(local.sandboxes.crm).host,
      '127.0.0.1',
      'SYSTEM_',
    ])
      expect(answers).not.toContain(detail);
    for (const res of [missing, refused]) expect(res.body.error.message).toMatch(/operator/);
    const logs = output.join('');
    expect(logs).toContain(arn);
    expect(logs).toContain('"operatorDetail"');
  });
});
