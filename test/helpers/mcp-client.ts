import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { LocalHarness } from './local-mode.ts';

/**
 * An MCP client of the official SDK connected to local mode's /mcp as `as`.
 *
 * @example
 * const client = await connectMcp(local, { sub: 'ana', roles: ['support'] });
 */
export async function connectMcp(
  local: LocalHarness,
  as: { sub: string; roles: string[] },
): Promise<Client> {
  const token = await local.token(as.sub, as.roles);
  const client = new Client({ name: 'toolgate-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${local.url}/mcp`), {
      requestInit: {
        headers: { authorization: `Bearer ${token}`, 'x-agent-reason': 'mcp integration test' },
      },
    }),
  );
  return client;
}
