import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { CallAuditor } from '#layers/audit/audit-policy.ts';
import type { AuditRecord } from '#layers/audit/audit-repository.ts';
import { policySchema } from '#layers/auth/policy.ts';
import { createGatewayMcpServer, type McpDeps } from '#layers/mcp/gateway-mcp.ts';
import { defineReadTool, defineWriteTool } from '#layers/tools/define.ts';
import { createRegistry } from '#layers/tools/tool-registry.ts';
import type { ToolRunner } from '#layers/tools/tool-runner.ts';
import type { DecideDeps } from '#layers/writes/decisions.ts';

const findOrder = defineReadTool({
  name: 'find_order',
  title: 'Find an order',
  description: 'Finds an order by its number. Use it in tests.',
  risk: 'read',
  systems: ['erp'],
  input: z.strictObject({ orderId: z.string().min(3).describe('Order number.') }),
  output: z.object({
    orderId: z.string().describe('Order number.'),
    status: z.string().describe('Order status.'),
  }),
  run: async () => {
    throw new Error('the fake runner answers instead');
  },
});

const cancelOrder = defineWriteTool({
  name: 'cancel_order',
  title: 'Cancel an order',
  description: 'Cancels an order. Use it in tests.',
  risk: 'write',
  confirmBy: 'self',
  systems: ['erp'],
  input: z.strictObject({ orderId: z.string().describe('Order number.') }),
  output: z.object({ cancelled: z.boolean().describe('Done.') }),
  preview: async (_ctx, input) => ({ summary: `Cancel ${input.orderId}.`, changes: [] }),
  steps: [],
  result: () => ({ cancelled: true }),
});

const policy = policySchema.parse({
  version: 'mcp-test-1',
  approverRole: 'approver',
  adminRole: 'admin',
  auditorRole: 'auditor',
  roles: {
    clerk: { description: 'Reads orders.', grants: ['find_order'] },
    manager: { description: 'Reads and cancels orders.', grants: ['find_order', 'cancel_order'] },
  },
});

/** The MCP server for one caller over fakes: a runner that answers, an auditor that keeps records. */
function gatewayFor(caller: { sub: string; roles: string[] }) {
  const audited: AuditRecord[] = [];
  const ran: unknown[] = [];
  const auditor: CallAuditor = {
    async record(record) {
      audited.push(record);
      return undefined;
    },
  };
  const runner = {
    async admit() {},
    async run(_tool: unknown, input: { orderId: string }) {
      ran.push(input);
      return {
        data: { orderId: input.orderId, status: 'shipped' },
        meta: { requestId: 'req-mcp-1', durationMs: 1, degraded: [], cache: 'none' as const },
      };
    },
  } as unknown as ToolRunner;
  const deps: McpDeps = {
    registry: createRegistry([findOrder, cancelOrder]),
    policy,
    runner,
    auditor,
    logger: { error: () => undefined, warn: () => undefined },
    proposals: () => {
      throw new Error('no write is proposed in these tests');
    },
    decisions: {} as DecideDeps,
    listing: 'all',
    pinned: [],
    version: '0.0.0-test',
  };
  const server = createGatewayMcpServer(deps, {
    caller,
    requestId: 'req-mcp-1',
    baseUrl: 'https://gateway.example',
  });
  return { server, audited, ran };
}

/** An official SDK client connected to the server through the SDK's in-memory transport. */
async function connected(server: ReturnType<typeof gatewayFor>['server']) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'gateway-mcp-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

describe('createGatewayMcpServer', () => {
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  it('lists the tools the caller’s roles grant, with their schemas and hints, and the write helpers', async () => {
    // Arrange
    const { server } = gatewayFor({ sub: 'cleo', roles: ['clerk'] });
    client = await connected(server);

    // Act
    const { tools } = await client.listTools();

    // Assert
    const names = tools.map((tool) => tool.name);
    expect(names).toContain('find_order');
    expect(names).not.toContain('cancel_order');
    expect(names).toEqual(
      expect.arrayContaining(['confirm_operation', 'cancel_confirmation', 'get_operation_status']),
    );
    const listed = tools.find((tool) => tool.name === 'find_order');
    expect(listed).toMatchObject({
      title: 'Find an order',
      description: 'Finds an order by its number. Use it in tests.',
      inputSchema: { type: 'object', required: ['orderId'] },
      annotations: { readOnlyHint: true, destructiveHint: false },
    });
  });

  it('calls a read tool through the core, answers its data as structured content and audits it once', async () => {
    // Arrange
    const { server, audited, ran } = gatewayFor({ sub: 'cleo', roles: ['clerk'] });
    client = await connected(server);

    // Act
    const result = await client.callTool({
      name: 'find_order',
      arguments: { orderId: 'SO-100001' },
    });

    // Assert
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ orderId: 'SO-100001', status: 'shipped' });
    expect(ran).toEqual([{ orderId: 'SO-100001' }]);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      requestId: 'req-mcp-1',
      sub: 'cleo',
      tool: 'find_order',
      outcome: 'success',
      statusCode: 200,
    });
  });

  it('answers invalid input as a tool error with the REST error envelope, and runs nothing', async () => {
    // Arrange
    const { server, ran } = gatewayFor({ sub: 'cleo', roles: ['clerk'] });
    client = await connected(server);

    // Act
    const result = await client.callTool({ name: 'find_order', arguments: { orderId: 'S' } });

    // Assert
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      error: { code: 'validation_failed', issues: [{ path: 'orderId' }] },
    });
    expect(ran).toEqual([]);
  });

  it('answers a tool the caller may not use as an unknown tool, and runs nothing', async () => {
    // Arrange
    const { server, ran } = gatewayFor({ sub: 'cleo', roles: ['clerk'] });
    client = await connected(server);

    // Act
    const call = client.callTool({ name: 'cancel_order', arguments: { orderId: 'SO-100001' } });

    // Assert
    await expect(call).rejects.toThrow(/Unknown tool: cancel_order/);
    expect(ran).toEqual([]);
  });
});
