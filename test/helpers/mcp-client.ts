import {
  type ClientCapabilities as ModernCapabilities,
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { LocalHarness } from './local-mode.ts';

const headersFor = async (local: LocalHarness, as: { sub: string; roles: string[] }) => ({
  authorization: `Bearer ${await local.token(as.sub, as.roles)}`,
  'x-agent-reason': 'mcp integration test',
});

/**
 * An MCP client of the official SDK v1 (protocol 2025-11-25, `initialize` handshake) connected to
 * local mode's /mcp as `as`, declaring `capabilities` (none by default).
 *
 * @example
 * const client = await connectMcp(local, { sub: 'ana', roles: ['support'] });
 */
export async function connectMcp(
  local: LocalHarness,
  as: { sub: string; roles: string[] },
  options: { capabilities?: ClientCapabilities } = {},
): Promise<Client> {
  const client = new Client({ name: 'toolgate-test', version: '1.0.0' }, options);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${local.url}/mcp`), {
      requestInit: { headers: await headersFor(local, as) },
    }),
  );
  return client;
}

/**
 * An MCP client of the official SDK v2 negotiating the protocol era: pinned to 2026-07-28
 * (stateless, `server/discover`, no `initialize`), or `auto` (probe, then fall back).
 *
 * @example
 * const client = await connectModernMcp(local, { sub: 'ana', roles: ['support'] });
 * client.getProtocolEra(); // 'modern'
 */
export async function connectModernMcp(
  local: LocalHarness,
  as: { sub: string; roles: string[] },
  mode: 'auto' | { pin: string } = { pin: '2026-07-28' },
  options: { capabilities?: ModernCapabilities } = {},
): Promise<ModernClient> {
  const client = new ModernClient(
    { name: 'toolgate-test-modern', version: '1.0.0' },
    { versionNegotiation: { mode }, ...options },
  );
  await client.connect(
    new ModernTransport(new URL(`${local.url}/mcp`), {
      requestInit: { headers: await headersFor(local, as) },
    }),
  );
  return client;
}

/** What the write walk needs of an MCP client, of either SDK. */
interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<object>;
}

const structured = <T>(result: object) => (result as { structuredContent: T }).structuredContent;

/**
 * Proposes a ticket for Northwind Traders, confirms it with `confirm_operation` and follows it
 * with `get_operation_status` until it ends (15 s at most); answers the summary and final status.
 *
 * @example
 * const { status } = await walkWrite(client); // 'succeeded'
 */
export async function walkWrite(
  client: ToolCaller,
  subject = 'Via MCP',
): Promise<{ summary: string; status: string }> {
  const proposal = await client.callTool({
    name: 'create_ticket',
    arguments: {
      customerId: 'C-00021',
      subject,
      description: 'Opened by an agent through the MCP endpoint.',
    },
  });
  const { id: confirmationId, summary } = structured<{
    confirmation: { id: string; summary: string };
  }>(proposal).confirmation;
  const confirmed = await client.callTool({
    name: 'confirm_operation',
    arguments: { confirmationId },
  });
  const operationId = structured<{ operation: { id: string } }>(confirmed).operation.id;
  let status = 'queued';
  for (const deadline = Date.now() + 60_000; ['queued', 'running'].includes(status); ) {
    if (Date.now() > deadline) throw new Error(`operation ${operationId} is still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const read = await client.callTool({
      name: 'get_operation_status',
      arguments: { operationId },
    });
    status = structured<{ operation: { status: string } }>(read).operation.status;
  }
  return { summary, status };
}
