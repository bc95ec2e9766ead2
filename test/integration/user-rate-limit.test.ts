import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

const ana = { sub: 'ana', roles: ['support'] };

describe('inbound limit per user', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    // 3 tool calls per user per day: a window this long is not crossed while the test runs.
    local = await startLocalHarness({ USER_RATE_LIMIT: '3/86400' });
  });
  afterAll(() => local.stop());

  it('counts REST and MCP calls together, answers 429 with Retry-After, and leaves other users alone', async () => {
    // Arrange
    const mcp = await connectMcp(local, ana);
    const rest = (as: { sub: string; roles: string[] }) =>
      local.call('POST', '/tools/get_customer', { as, body: { customerId: 'C-00001' } });
    // Act: two calls over REST and one over MCP use ana's budget
    const allowed = [(await rest(ana)).status, (await rest(ana)).status];
    const overMcp = await mcp.callTool({
      name: 'get_customer',
      arguments: { customerId: 'C-00001' },
    });
    const refused = await rest(ana);
    const refusedOverMcp = await mcp.callTool({
      name: 'get_customer',
      arguments: { customerId: 'C-00001' },
    });
    const refusedWrite = await local.call('POST', '/tools/create_ticket', {
      as: ana,
      body: { customerId: 'C-00001', subject: 'Printer jam', description: 'The printer jams.' },
    });
    const other = await rest({ sub: 'bea', roles: ['support'] });
    // Assert
    expect(allowed).toEqual([200, 200]);
    expect(overMcp.isError).toBeFalsy();
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toContain('3 tool calls per 86400 s');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(5);
    expect(refusedOverMcp.isError).toBe(true);
    expect((refusedOverMcp.content as { text: string }[])[0]?.text).toContain('rate_limited');
    expect(refusedWrite.status).toBe(429);
    expect(other.status).toBe(200);
    await mcp.close();
  });
});
