import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAuditLog } from '#layers/audit/audit-log.ts';
import type { AuditRecord } from '#layers/audit/audit-repository.ts';
import { expectRefusals, type Refusal } from '#test/helpers/list-refusals.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { eventually } from '#test/helpers/webhooks.ts';

const run = randomUUID().slice(0, 8);
const ana = { sub: `ana-${run}`, roles: ['support'] };
const bob = { sub: `bob-${run}`, roles: ['sales'] };
const auditor = { sub: `aud-${run}`, roles: ['auditor'] };
const approver = { sub: `bea-${run}`, roles: ['approver'] };
const conversation = `conv-${run}`;
const sharedRequest = `req-${run}`;

const DAY = 86_400_000;
const midnight = Math.floor(Date.now() / DAY) * DAY;
/** Hours after midnight, `days` days ago (UTC). */
const at = (days: number, hours: number) => new Date(midnight - days * DAY + hours * 3_600_000);
const windowFrom = at(3, 0).toISOString();
const windowTo = at(1, 23.9).toISOString();

/** Three days of calls by ana and bob: bob's conversation runs over the days, interleaved with ana's. */
const seeded: AuditRecord[] = [
  [ana, 3, 9, 'get_customer', 'success', undefined, sharedRequest],
  [bob, 3, 10, 'get_customer_orders', 'success', conversation, undefined],
  [ana, 3, 15, 'get_order_status', 'error', undefined, undefined],
  [bob, 2, 8, 'check_inventory', 'success', conversation, undefined],
  [ana, 2, 11, 'get_customer', 'success', undefined, undefined],
  [bob, 2, 16, 'create_order', 'error', conversation, sharedRequest],
  [ana, 1, 7, 'get_customer', 'error', undefined, undefined],
  [bob, 1, 12, 'get_order_status', 'success', undefined, undefined],
  [ana, 1, 18, 'get_order_status', 'success', undefined, undefined],
].map(([who, days, hours, tool, outcome, conversationId, requestId], index) => ({
  requestId: (requestId as string | undefined) ?? `seed-${run}-${index}`,
  at: at(days as number, hours as number),
  sub: (who as typeof ana).sub,
  roles: (who as typeof ana).roles,
  tool: tool as string,
  input: { index },
  ...(conversationId ? { conversationId: conversationId as string } : {}),
  outcome: outcome as 'success' | 'error',
  statusCode: outcome === 'success' ? 200 : 502,
  ...(outcome === 'error' ? { errorCode: 'upstream_error', errorMessage: 'failed' } : {}),
  durationMs: 10 + index,
}));

/** The seeded records' indexes, in the order an answer lists them. */
const order = (keep: (record: AuditRecord) => boolean, newestFirst = true) =>
  seeded
    .map((record, index) => ({ record, index }))
    .filter(({ record }) => keep(record))
    .sort((a, b) => (a.record.at.getTime() - b.record.at.getTime()) * (newestFirst ? -1 : 1))
    .map(({ index }) => index);

describe('GET /audit in local mode', () => {
  let local: LocalHarness;
  const search = (query: string, as: { sub: string; roles: string[] }) =>
    local.call('GET', `/audit${query}`, { as });
  /** The seeded records of an answer, as their indexes (other calls' records left out). */
  const indexes = (body: { records: { input?: { index?: number }; requestId: string }[] }) =>
    body.records
      .filter((record) => typeof record.input?.index === 'number')
      .map((record) => record.input?.index);

  beforeAll(async () => {
    local = await startLocalHarness({ USER_RATE_LIMIT: '5000/60' });
    // Seeded as the functions write them: lines on the audit log, delivered by the tailer.
    const log = fileAuditLog(local.functionEnv.AUDIT_LOG_FILE ?? '');
    for (const record of seeded) log.write(record);
    await local.auditDelivered();
  }, 120_000);
  afterAll(() => local.stop());

  it('answers a user their own records only, newest first, and refuses another sub naming the auditor role', async () => {
    // Act
    const own = await search(`?from=${windowFrom}&to=${windowTo}`, ana);
    const other = await search(`?sub=${bob.sub}`, ana);
    const asApprover = await search(`?sub=${ana.sub}`, approver);
    // Assert
    expect(own.status).toBe(200);
    expect(indexes(own.body)).toEqual(order((record) => record.sub === ana.sub));
    expect(own.body.records[0]).toMatchObject({
      sub: ana.sub,
      roles: ['support'],
      tool: 'get_order_status',
      outcome: 'success',
      statusCode: 200,
    });
    expect(own.body.records[0].auditId).toMatch(/^[0-9a-f-]{36}$/);
    expect(own.body.records[0]).not.toHaveProperty('pk');
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    expect(other.body.error.message).toContain('auditor');
    expect(asApprover.status).toBe(403);
  });

  it('lets an auditor search everyone by time, walking the days with a cursor', async () => {
    // Arrange
    const seen: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    // Act
    do {
      const res = await search(
        `?from=${windowFrom}&to=${windowTo}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        auditor,
      );
      expect(res.status).toBe(200);
      seen.push(...indexes(res.body));
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    // Assert
    expect(seen).toEqual(order(() => true));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('filters by sub, tool and outcome together, for an auditor', async () => {
    // Act
    const bobs = await search(`?sub=${bob.sub}`, auditor);
    const errors = await search(`?tool=get_customer&outcome=error`, auditor);
    const anasStatus = await search(
      `?sub=${ana.sub}&tool=get_order_status&outcome=success`,
      auditor,
    );
    // Assert
    expect(indexes(bobs.body)).toEqual(order((record) => record.sub === bob.sub));
    expect(indexes(errors.body)).toEqual(
      order((record) => record.tool === 'get_customer' && record.outcome === 'error'),
    );
    expect(indexes(anasStatus.body)).toEqual([8]);
  });

  it('follows a conversation oldest first, newest first on request', async () => {
    // Act
    const followed = await search(`?conversationId=${conversation}`, auditor);
    const reversed = await search(`?conversationId=${conversation}&order=desc`, auditor);
    const byOwner = await search(`?conversationId=${conversation}`, bob);
    const byOther = await search(`?conversationId=${conversation}`, ana);
    // Assert
    const inConversation = (record: AuditRecord) => record.conversationId === conversation;
    expect(indexes(followed.body)).toEqual(order(inConversation, false));
    expect(indexes(reversed.body)).toEqual(order(inConversation));
    expect(indexes(byOwner.body)).toEqual(order(inConversation, false));
    expect(byOther.body.records).toEqual([]);
  });

  it('finds the calls of a request id, and one record by its id for whoever may read it', async () => {
    // Act
    const found = await search(`?requestId=${sharedRequest}`, auditor);
    const [record] = (await search(`?requestId=${sharedRequest}`, bob)).body.records;
    const asOwner = await local.call('GET', `/audit/${record.auditId}`, { as: bob });
    const asAuditor = await local.call('GET', `/audit/${record.auditId}`, { as: auditor });
    const asOther = await local.call('GET', `/audit/${record.auditId}`, { as: ana });
    const missing = await local.call('GET', `/audit/${randomUUID()}`, { as: auditor });
    // Well formed, of the same millisecond as the record, but no record's id
    const sameTime = `${record.auditId.slice(0, 15)}000-8000-000000000000`;
    const missingSameTime = await local.call('GET', `/audit/${sameTime}`, { as: auditor });
    // Assert
    expect(indexes(found.body)).toEqual(order((r) => r.requestId === sharedRequest));
    expect(asOwner.status).toBe(200);
    expect(asOwner.body.record).toEqual(record);
    expect(asOwner.body.record).toMatchObject({ input: { index: 5 }, errorCode: 'upstream_error' });
    expect(asAuditor.body.record).toEqual(record);
    expect(asOther.status).toBe(404);
    expect(asOther.body.error.code).toBe('audit_record_not_found');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('audit_record_not_found');
    expect(missingSameTime.status).toBe(404);
    expect(record.auditId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/); // version 7: it holds its time
  });

  it('answers 400 naming the parameter for a bad limit, outcome, time, range or cursor', async () => {
    // Arrange
    const first = await search(`?sub=${ana.sub}&limit=1`, auditor);
    const cases: Refusal[] = [
      ['?limit=0', 'invalid_input', 'limit'],
      ['?limit=500', 'invalid_input', 'limit'],
      ['?outcome=maybe', 'invalid_input', 'outcome'],
      ['?order=sideways', 'invalid_input', 'order'],
      ['?from=01/12/2026', 'invalid_input', 'from'],
      [`?from=${windowTo}&to=${windowFrom}`, 'invalid_input', 'from'],
      ['?cursor=%7B%7D', 'invalid_cursor', 'cursor'],
      [
        `?cursor=${Buffer.from('{"s":"x","p":"y"}').toString('base64url')}`,
        'invalid_cursor',
        'cursor',
      ],
      [`?sub=${bob.sub}&cursor=${first.body.cursor}`, 'invalid_cursor', 'cursor'],
    ];
    // Act, Assert
    await expectRefusals((query) => search(query, auditor), cases);
  });

  it("finds a call within seconds, with the business system's own request id of each call the tool made", async () => {
    // Arrange
    const requestId = randomUUID();
    // Act
    const call = await local.call('POST', '/tools/get_customer', {
      as: ana,
      body: { customerId: 'C-00001' },
      headers: { 'x-request-id': requestId, 'x-conversation-id': `live-${run}` },
    });
    // The search an auditor makes in the console, repeated until the record is delivered.
    const found = await eventually(
      'the call in GET /audit',
      async () => {
        const answer = await search(`?requestId=${requestId}`, ana);
        return answer.body.records.length > 0 ? answer : undefined;
      },
      5_000,
    );
    // Assert
    expect(call.status).toBe(200);
    const seen = (await (await fetch(`${local.sandboxes.crm}/_sandbox/requests`)).json()) as {
      requests: { requestId: string | null; answeredRequestId: string | null; status: number }[];
    };
    const crmCalls = seen.requests.filter((request) => request.requestId === requestId);
    expect(crmCalls.length).toBeGreaterThan(0);
    expect(found.body.records).toHaveLength(1);
    expect(found.body.records[0]).toMatchObject({
      conversationId: `live-${run}`,
      tool: 'get_customer',
      upstream: crmCalls.map((request) => ({
        system: 'crm',
        requestId: request.answeredRequestId,
        status: request.status,
      })),
    });
  });
});
