import type { LocalMode } from '#local/start-local.ts';
import { percentile, round } from './stats.ts';

async function load(calls: number, concurrency: number, call: () => Promise<Response>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        next++;
        const begin = performance.now();
        const response = await call();
        const text = await response.text();
        if (!response.ok || text.includes('"isError":true'))
          throw new Error(`bench call failed: ${response.status} ${text.slice(0, 200)}`);
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: calls / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

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
      },
      {
        endpoint: 'MCP tools/call get_order_status',
        calls,
        concurrency,
        'calls/s': round(mcpResult.perSecond, 0),
        'p50 ms': round(mcpResult.p50),
        'p99 ms': round(mcpResult.p99),
      },
    ],
    ratio: round(mcpResult.perSecond / restResult.perSecond, 2),
  };
}
