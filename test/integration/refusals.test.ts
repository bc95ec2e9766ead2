import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';
import { sandboxRequestCount } from '#test/helpers/operations.ts';

const admin = { sub: 'root', roles: ['admin'] };

const erpRequests = (local: LocalHarness) => sandboxRequestCount(local.sandboxes.erp);

const orderStatus = (local: LocalHarness, as: { sub: string; roles: string[] }) =>
  local.call('POST', '/tools/get_order_status', { as, body: { orderId: 'SO-100001' } });

describe('refused calls never reach the business systems', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({ USER_RATE_LIMIT: '2/86400', SWITCHES_MAX_STALE_MS: '100' });
  });
  afterAll(() => local.stop());

  it('makes no upstream call for a call over the per-user limit, over REST or MCP', async () => {
    // Arrange: the caller uses up their limit
    const limited = { sub: 'limited-user', roles: ['support'] };
    expect((await orderStatus(local, limited)).status).toBe(200);
    expect((await orderStatus(local, limited)).status).toBe(200);
    const mcp = await connectMcp(local, limited);
    const before = await erpRequests(local);
    // Act
    const refused = await Promise.all(
      Array.from({ length: 20 }, () => orderStatus(local, limited)),
    );
    const overMcp = await mcp.callTool({
      name: 'get_order_status',
      arguments: { orderId: 'SO-100001' },
    });
    // Assert
    expect(refused.map((answer) => answer.status)).toEqual(Array(20).fill(429));
    expect(overMcp.isError).toBe(true);
    expect(await erpRequests(local)).toBe(before);
    await mcp.close();
  });

  it('makes no upstream call for a tool the policy refuses', async () => {
    const before = await erpRequests(local);
    const refused = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        orderStatus(local, { sub: `viewer-${i}`, roles: ['viewer'] }),
      ),
    );
    expect(refused.map((answer) => answer.status)).toEqual(Array(5).fill(403));
    expect(await erpRequests(local)).toBe(before);
  });

  it('makes no upstream call for a system an administrator switched off', async () => {
    // Arrange
    const off = await local.call('PUT', '/admin/switches/system/erp', {
      as: admin,
      body: { enabled: false, reason: 'ERP maintenance' },
    });
    expect(off.status).toBe(200);
    const caller = (i: number) => ({ sub: `switch-${i}`, roles: ['support'] });
    let probe = 0;
    while ((await orderStatus(local, caller(probe++))).status !== 503) {
      // polled: the switch takes effect within SWITCHES_MAX_STALE_MS
    }
    const before = await erpRequests(local);
    // Act
    const refused = await Promise.all(
      Array.from({ length: 10 }, (_, i) => orderStatus(local, caller(100 + i))),
    );
    // Assert
    expect(refused.map((answer) => answer.status)).toEqual(Array(10).fill(503));
    expect(await erpRequests(local)).toBe(before);
    await local.call('PUT', '/admin/switches/system/erp', { as: admin, body: { enabled: true } });
  });
});
