import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp as connect, walkWrite } from '#test/helpers/mcp-client.ts';

const ana = { sub: 'ana', roles: ['support'] };

describe('MCP endpoint in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({}, { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 });
  });
  afterAll(() => local.stop());

  it('lists exactly the tools REST lists for the same user, plus the write helpers, with annotations', async () => {
    const client = await connect(local, ana);
    const { tools } = await client.listTools();
    const rest = await local.call('GET', '/tools', { as: ana });
    const restNames = rest.body.tools.map((tool: { name: string }) => tool.name).sort();
    const helpers = [
      'cancel_confirmation',
      'confirm_operation',
      'get_operation_status',
      'search_tools',
    ];
    expect(tools.map((tool) => tool.name).sort()).toEqual([...restNames, ...helpers].sort());
    const read = tools.find((tool) => tool.name === 'get_customer');
    expect(read?.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
    expect(read?.inputSchema).toEqual(
      rest.body.tools.find((tool: { name: string }) => tool.name === 'get_customer').inputSchema,
    );
    const write = tools.find((tool) => tool.name === 'create_ticket');
    expect(write?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    // Proposing changes nothing outside the gateway; confirming does.
    expect(tools.find((tool) => tool.name === 'confirm_operation')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    await client.close();
  });

  it('calls every read tool it lists and returns structured content', async () => {
    const client = await connect(local, { sub: 'root', roles: ['admin'] });
    const calls: Record<string, Record<string, unknown>> = {
      search_customers: { query: 'northwind' },
      get_customer: { customerId: 'C-00021' },
      get_customer_orders: { customerId: 'C-00021', limit: 2 },
      get_order_status: { orderId: 'SO-100001' },
      check_inventory: { skus: ['SKU-10001'] },
      get_customer_tickets: { customerId: 'C-00021' },
      get_customer_context: { customerId: 'C-00021' },
      get_product_catalog: { category: 'Warehouse' },
      // Declared from the facilities OpenAPI spec (layers/systems/declared/facilities).
      list_assets: { customer_number: 'C-00021' },
      get_asset: { asset_id: 'AST-102426-6' },
      asset_exists: { asset_id: 'AST-102426-6' },
      list_asset_work_orders: { asset_id: 'AST-102426-6' },
      get_shipment_tracking: { orderId: 'SO-100001' },
      get_delivery_exceptions: { customerId: 'C-00021' },
    };
    const { tools } = await client.listTools();
    for (const tool of tools.filter(
      (candidate) => candidate.annotations?.readOnlyHint && candidate.name in calls,
    )) {
      const result = await client.callTool({ name: tool.name, arguments: calls[tool.name] });
      expect(result.isError, tool.name).toBeFalsy();
      expect(result.structuredContent, tool.name).toBeDefined();
      expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? '')).toEqual(
        result.structuredContent,
      );
    }
    const readTools = tools.filter(
      (tool) =>
        tool.annotations?.readOnlyHint &&
        !['search_tools', 'get_operation_status'].includes(tool.name),
    );
    expect(readTools.map((tool) => tool.name).sort()).toEqual(Object.keys(calls).sort());
    await client.close();
  });

  it('returns a tool error the agent can act on for bad input', async () => {
    const client = await connect(local, ana);
    const result = await client.callTool({
      name: 'get_customer',
      arguments: { customerId: 'acme' },
    });
    expect(result.isError).toBe(true);
    expect((result.content as { text: string }[])[0]?.text).toMatch(
      /validation_failed[\s\S]*customerId/,
    );
    await client.close();
  });

  it('walks a write: proposal, confirm_operation, get_operation_status', async () => {
    const client = await connect(local, ana);
    const { summary, status } = await walkWrite(client);
    expect(summary).toContain('Northwind Traders');
    expect(status).toBe('succeeded');
    await client.close();
  });

  it('neither lists nor runs a tool the caller may not use', async () => {
    const client = await connect(local, { sub: 'vic', roles: ['viewer'] });
    const { tools } = await client.listTools();
    expect(tools.some((tool) => tool.name === 'get_customer_orders')).toBe(false);
    await expect(
      client.callTool({ name: 'get_customer_orders', arguments: { customerId: 'C-00021' } }),
    ).rejects.toThrow(/Unknown tool/);
    await client.close();
  });

  it('ranks tools for a task with search_tools', async () => {
    const client = await connect(local, ana);
    const result = await client.callTool({
      name: 'search_tools',
      arguments: { query: 'open a support ticket' },
    });
    const found = (result.structuredContent as { tools: { name: string }[] }).tools;
    expect(found[0]?.name).toBe('create_ticket');
    await client.close();
  });

  it('answers 401 with the protected resource metadata for missing, expired and wrong-audience tokens', async () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const headers = { accept: 'application/json, text/event-stream' };
    const expired = await local.issuer.issue({
      sub: 'ana',
      roles: ['support'],
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
      expiresInSeconds: 60,
    });
    const otherAudience = await local.issuer.issue({
      sub: 'ana',
      roles: ['support'],
      audience: 'another-api',
    });
    for (const token of [undefined, expired, otherAudience]) {
      const res = await local.call('POST', '/mcp', { body, headers, ...(token ? { token } : {}) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(
        `resource_metadata="${local.url}/.well-known/oauth-protected-resource"`,
      );
    }
    const metadata = await local.call('GET', '/.well-known/oauth-protected-resource');
    expect(metadata.body).toMatchObject({
      resource: `${local.url}/mcp`,
      authorization_servers: [`${local.url}/_local/oidc`],
    });
  });

  it('answers 405 to GET and refuses foreign browser origins', async () => {
    const get = await local.call('GET', '/mcp', { as: ana });
    expect(get.status).toBe(405);
    const foreign = await local.call('POST', '/mcp', {
      as: ana,
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      headers: { origin: 'https://evil.example', accept: 'application/json, text/event-stream' },
    });
    expect(foreign.status).toBe(403);
  });
});
