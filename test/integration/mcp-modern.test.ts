import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp, connectModernMcp, walkWrite } from '#test/helpers/mcp-client.ts';

const ana = { sub: 'ana', roles: ['support'] };
const MODERN = '2026-07-28';

describe('MCP protocol 2026-07-28 (stateless, server/discover) in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({}, { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 });
  });
  afterAll(() => local.stop());

  it('answers server/discover without initialize, naming 2026-07-28 and its tools capability', async () => {
    // Act
    const answer = await local.call('POST', '/mcp', {
      as: ana,
      headers: {
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'server/discover',
      },
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'server/discover',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN,
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      },
    });
    // Assert
    expect(answer.status).toBe(200);
    expect(answer.body.result.supportedVersions).toContain(MODERN);
    expect(answer.body.result.capabilities.tools).toBeDefined();
    expect(answer.body.result._meta['io.modelcontextprotocol/serverInfo'].name).toBe('toolgate');
  });

  it('serves a client pinned to 2026-07-28 the same tools as a 2025-11-25 client', async () => {
    // Arrange
    const modern = await connectModernMcp(local, ana);
    const legacy = await connectMcp(local, ana);
    // Act
    const modernTools = (await modern.listTools()).tools;
    const legacyTools = (await legacy.listTools()).tools;
    // Assert
    expect(modern.getProtocolEra()).toBe('modern');
    expect(modern.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect((legacy.transport as { protocolVersion?: string }).protocolVersion).toBe('2025-11-25');
    expect(modernTools.map((tool) => tool.name).sort()).toEqual(
      legacyTools.map((tool) => tool.name).sort(),
    );
    expect(modernTools.find((tool) => tool.name === 'create_ticket')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
    });
    await modern.close();
    await legacy.close();
  });

  it('walks the read and write flow for a pinned client: read, propose, confirm, follow', async () => {
    // Arrange
    const client = await connectModernMcp(local, ana);
    // Act
    const read = await client.callTool({
      name: 'search_customers',
      arguments: { query: 'northwind' },
    });
    const write = await walkWrite(client, 'Via MCP 2026-07-28');
    await client.close();
    // Assert
    expect(read.isError).toBeFalsy();
    expect(JSON.stringify(read.structuredContent)).toContain('Northwind Traders');
    expect(write.status).toBe('succeeded');
  });

  it('gives a pinned client tool errors with the envelope and unknown tools as -32602', async () => {
    // Arrange
    const client = await connectModernMcp(local, ana);
    await client.listTools();
    // Act
    const invalid = await client.callTool({
      name: 'get_customer',
      arguments: { customerId: 'acme' },
    });
    const unknown = await client
      .callTool({ name: 'constructor', arguments: {} })
      .catch((error: { code?: number; message: string }) => error);
    await client.close();
    // Assert
    expect(invalid.isError).toBe(true);
    expect(invalid.structuredContent).toMatchObject({ error: { code: 'validation_failed' } });
    expect(unknown).toMatchObject({ code: -32602 });
    expect((unknown as Error).message).toContain('Unknown tool: constructor');
  });

  it('lets a client in auto mode negotiate the modern era', async () => {
    // Act
    const client = await connectModernMcp(local, ana, 'auto');
    const era = client.getProtocolEra();
    const { tools } = await client.listTools();
    await client.close();
    // Assert
    expect(era).toBe('modern');
    expect(tools.map((tool) => tool.name)).toContain('search_customers');
  });
});
