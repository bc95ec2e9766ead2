import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

describe('MCP with MCP_TOOL_LISTING=search', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({
      MCP_TOOL_LISTING: 'search',
      MCP_PINNED_TOOLS: 'search_customers',
    });
  });
  afterAll(() => local.stop());

  it('lists only search_tools, the pinned tools and the write helpers, yet still calls the others', async () => {
    const client = await connectMcp(local, { sub: 'ana', roles: ['support'] });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'cancel_confirmation',
      'confirm_operation',
      'get_operation_status',
      'search_customers',
      'search_tools',
    ]);
    const found = await client.callTool({
      name: 'search_tools',
      arguments: { query: 'customer support tickets' },
    });
    const names = (found.structuredContent as { tools: { name: string }[] }).tools.map(
      (tool) => tool.name,
    );
    expect(names[0]).toBe('get_customer_tickets');
    const tickets = await client.callTool({
      name: 'get_customer_tickets',
      arguments: { customerId: 'C-00021' },
    });
    expect(tickets.isError).toBeFalsy();
    await client.close();
  });
});
