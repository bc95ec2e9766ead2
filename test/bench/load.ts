import { percentile } from './stats.ts';

/**
 * `calls` calls of `call` from `concurrency` loops at once: throughput, latency, errors. A call
 * fails when it is not 2xx or is an MCP tool error; failures are counted, not thrown.
 */
export async function load(calls: number, concurrency: number, call: () => Promise<Response>) {
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        next++;
        const begin = performance.now();
        try {
          const response = await call();
          const text = await response.text();
          if (!response.ok || text.includes('"isError":true'))
            failures.push(`${response.status} ${text.slice(0, 200)}`);
          else latencies.push(performance.now() - begin);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: calls / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: failures.length,
    firstFailure: failures[0],
  };
}
