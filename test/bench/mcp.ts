import type { LocalMode } from '#local/start-local.ts';
import { load } from './load.ts';
import { round } from './stats.ts';

/** tools/call over MCP against the same read over REST, same tool, same load, one run. */
export async function measureMcpVersusRest(local: LocalMode, calls: number, concurrency: number) {
  const token = await local.issuer.issue({
    sub: 'bench',
    roles: ['admin'],
    expiresInSeconds: 3600,
  });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const rest = () =>
    fetch(`${local.url}/tools/get_order_status`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ orderId: 'SO-100001' }),
    });
  let id = 0;
  const mcp = () =>
    fetch(`${local.url}/mcp`, {
      method: 'POST',
      headers: {
        ...headers,
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'tools/call',
        params: { name: 'get_order_status', arguments: { orderId: 'SO-100001' } },
      }),
    });
  await load(100, concurrency, rest);
  await load(100, concurrency, mcp);
  const restResult = await load(calls, concurrency, rest);
  const mcpResult = await load(calls, concurrency, mcp);
  return {
    rows: [
      {
        endpoint: 'REST POST /tools/get_order_status',
        calls,
        concurrency,
        'calls/s': round(restResult.perSecond, 0),
        'p50 ms': round(restResult.p50),
        'p99 ms': round(restResult.p99),
        errors: restResult.errors,
      },
      {
        endpoint: 'MCP tools/call get_order_status',
        calls,
        concurrency,
        'calls/s': round(mcpResult.perSecond, 0),
        'p50 ms': round(mcpResult.p50),
        'p99 ms': round(mcpResult.p99),
        errors: mcpResult.errors,
      },
    ],
    ratio: round(mcpResult.perSecond / restResult.perSecond, 2),
  };
}
