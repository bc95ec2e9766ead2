import { createMCPClient } from '@ai-sdk/mcp';
import { MCPServerStreamableHttp } from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

describe('README agent SDK quickstarts against local mode', () => {
  let local: LocalHarness;
  let token: string;

  beforeAll(async () => {
    local = await startLocalHarness();
    token = await local.token('ana', ['support']);
  });
  afterAll(() => local.stop());

  it('connects the Vercel AI SDK MCP client and runs a tool', async () => {
    const client = await createMCPClient({
      transport: {
        type: 'http',
        url: `${local.url}/mcp`,
        headers: { Authorization: `Bearer ${token}` },
      },
    });
    const tools = await client.tools();
    expect(Object.keys(tools)).toEqual(
      expect.arrayContaining(['search_customers', 'get_customer_tickets']),
    );
    const result = await tools.search_customers?.execute?.({ query: 'northwind' }, {
      toolCallId: 'call-1',
      messages: [],
      context: {},
    } as never);
    expect(JSON.stringify(result)).toContain('Northwind Traders');
    await client.close();
  });

  it('connects the OpenAI Agents SDK MCP server and runs a tool', async () => {
    const toolgate = new MCPServerStreamableHttp({
      name: 'toolgate',
      url: `${local.url}/mcp`,
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await toolgate.connect();
    const tools = await toolgate.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['search_customers', 'create_ticket']),
    );
    const result = await toolgate.callTool('search_customers', { query: 'northwind' });
    expect(JSON.stringify(result)).toContain('Northwind Traders');
    await toolgate.close();
  });
});
