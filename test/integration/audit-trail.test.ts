import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords } from '#test/helpers/audit.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const support = { sub: 'ana', roles: ['support'] };

describe('the audit trail in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    // A generous deadline: this test is about the trail, not about a busy machine's latency.
    local = await startLocalHarness({ USER_RATE_LIMIT: '5000/60', UPSTREAM_TIMEOUT_MS: '60000' });
  });
  afterAll(() => local.stop());

  it('keeps one record per call when 300 concurrent calls share one X-Request-Id', async () => {
    // Arrange
    const requestId = `shared-${randomUUID()}`;
    const token = await local.token('concurrent-caller', ['support']);
    // Act
    const answers = await Promise.all(
      Array.from({ length: 300 }, () =>
        local.call('POST', '/tools/get_order_status', {
          token,
          body: { orderId: 'SO-100001' },
          headers: { 'x-request-id': requestId },
        }),
      ),
    );
    // Assert
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.body)).toEqual(
      [],
    );
    const records = (await auditRecords(local)).filter((item) => item.requestId === requestId);
    expect(records).toHaveLength(300);
    expect(new Set(records.map((item) => item.sk)).size).toBe(300);
    expect(records.every((item) => item.outcome === 'success')).toBe(true);
  }, 120_000);

  it('records the tool a refused call asked for and why it was refused', async () => {
    // Arrange
    const forbiddenId = `forbidden-${randomUUID()}`;
    const anonymousId = `anonymous-${randomUUID()}`;
    // Act
    const forbidden = await local.call('POST', '/tools/create_order', {
      as: support,
      body: { customerId: 'C-00001', lines: [] },
      headers: { 'x-request-id': forbiddenId },
    });
    const anonymous = await local.call('POST', '/tools/get_customer', {
      body: { customerId: 'C-00001' },
      headers: { 'x-request-id': anonymousId },
    });
    // Assert
    expect(forbidden.status).toBe(403);
    expect(anonymous.status).toBe(401);
    const items = await auditRecords(local);
    expect(items.find((item) => item.requestId === forbiddenId)).toMatchObject({
      sub: 'ana',
      tool: 'create_order',
      outcome: 'error',
      statusCode: 403,
      errorCode: 'forbidden',
      errorMessage: forbidden.body.error.message,
    });
    expect(items.find((item) => item.requestId === anonymousId)).toMatchObject({
      sub: 'anonymous',
      tool: 'get_customer',
      statusCode: 401,
      errorCode: 'missing_token',
    });
  });

  it('answers 503 audit_unavailable instead of data or a proposal when no audit line can be written', async () => {
    // Arrange: a directory where the audit log file was, so no line can be appended
    const file = local.functionEnv.AUDIT_LOG_FILE ?? '';
    await rm(file);
    await mkdir(file);
    // Act
    const read = await local.call('POST', '/tools/get_customer', {
      as: support,
      body: { customerId: 'C-00001' },
    });
    const proposal = await local.call('POST', '/tools/create_ticket', {
      as: support,
      body: { customerId: 'C-00001', subject: 'Printer on fire', description: 'It is on fire.' },
    });
    // Assert
    for (const answer of [read, proposal]) {
      expect(answer.status).toBe(503);
      expect(answer.body.error).toMatchObject({ code: 'audit_unavailable', retryable: true });
      expect(answer.headers.get('retry-after')).toBe('2');
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.confirmation).toBeUndefined();
    }
  });
});
