import { createMCPClient } from '@ai-sdk/mcp';
import { MCPServerStreamableHttp } from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { walkWrite } from '#test/helpers/mcp-client.ts';

/** The JSON a tool result carries as its first text block, as an agent framework passes it on. */
const firstText = (content: unknown): unknown =>
  JSON.parse((content as { type: string; text: string }[])[0]?.text ?? 'null');

describe('agent frameworks walk the write flow over MCP in local mode', () => {
  let local: LocalHarness;
  let token: string;

  beforeAll(async () => {
    local = await startLocalHarness({}, { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 });
    token = await local.token('ana', ['support']);
  });
  afterAll(() => local.stop());

  it('proposes, confirms and follows a write through the Vercel AI SDK MCP client', async () => {
    // Arrange
    const client = await createMCPClient({
      transport: {
        type: 'http',
        url: `${local.url}/mcp`,
        headers: { Authorization: `Bearer ${token}` },
      },
    });
    const tools = await client.tools();
    const options = { toolCallId: 'call-1', messages: [], context: {} } as never;
    // Act
    const write = await walkWrite(
      {
        callTool: async ({ name, arguments: args }) => {
          const result = await tools[name]?.execute?.(args, options);
          return { structuredContent: firstText((result as { content: unknown }).content) };
        },
      },
      'Via the Vercel AI SDK',
    );
    await client.close();
    // Assert
    expect(write.status).toBe('succeeded');
  });

  it('proposes, confirms and follows a write through the OpenAI Agents SDK MCP server', async () => {
    // Arrange
    const toolgate = new MCPServerStreamableHttp({
      name: 'toolgate',
      url: `${local.url}/mcp`,
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await toolgate.connect();
    // Act
    const write = await walkWrite(
      {
        callTool: async ({ name, arguments: args }) => ({
          structuredContent: firstText(await toolgate.callTool(name, args)),
        }),
      },
      'Via the OpenAI Agents SDK',
    );
    await toolgate.close();
    // Assert
    expect(write.status).toBe('succeeded');
  });
});
