import { pgliteConnectionsOpened } from '#layers/sql/pglite-driver.ts';
import type { LocalMode } from '#local/start-local.ts';
import { percentile, round } from './stats.ts';

/**
 * The SQL tools over the embedded legacy database, through local mode over HTTP as an agent calls
 * them: latency per tool, and the connections the drivers opened meanwhile (goal: none after the
 * first call of each function instance, so one per instance).
 */
export async function measureSqlTools(local: LocalMode, token: string, iterations: number) {
  const call = async (tool: string, input: unknown) => {
    const started = performance.now();
    const response = await fetch(`${local.url}/tools/${tool}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    await response.text();
    if (response.status !== 200) throw new Error(`${tool} answered ${response.status}`);
    return performance.now() - started;
  };
  const tools = [
    ['get_shipment_tracking', { orderId: 'SO-102479' }],
    ['get_delivery_exceptions', { customerId: 'C-00001' }],
  ] as const;
  const firstCallMs = await call(tools[0][0], tools[0][1]);
  for (const [tool, input] of tools) await call(tool, input);
  const before = pgliteConnectionsOpened();
  const rows = [];
  for (const [tool, input] of tools) {
    const samples: number[] = [];
    for (let index = 0; index < iterations; index++) samples.push(await call(tool, input));
    rows.push({
      tool,
      calls: iterations,
      p50Ms: round(percentile(samples, 50)),
      p95Ms: round(percentile(samples, 95)),
      p99Ms: round(percentile(samples, 99)),
    });
  }
  return {
    rows,
    firstCallMs: Math.round(firstCallMs),
    connectionsPer1000Calls: round(
      ((pgliteConnectionsOpened() - before) * 1000) / (iterations * tools.length),
    ),
    connectionsInProcess: pgliteConnectionsOpened(),
  };
}
