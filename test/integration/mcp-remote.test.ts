import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

describe('Claude Desktop quickstart (mcp-remote bridge) against local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('lists and calls tools through the command and arguments of the README config', async () => {
    const token = await local.token('ana', ['support']);
    const transport = new StdioClientTransport({
      command: 'npx',
      args: [
        'mcp-remote',
        `${local.url}/mcp`,
        '--allow-http',
        '--header',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote substitutes it from env
        'Authorization:${TOOLGATE_AUTH}',
      ],
      env: { ...(process.env as Record<string, string>), TOOLGATE_AUTH: `Bearer ${token}` },
      stderr: 'ignore',
    });
    const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['search_customers', 'create_ticket']),
    );
    const result = await client.callTool({
      name: 'search_customers',
      arguments: { query: 'northwind' },
    });
    expect(JSON.stringify(result.structuredContent)).toContain('Northwind Traders');
    await client.close();
  });
});
