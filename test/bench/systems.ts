import type { LocalMode } from '#local/start-local.ts';
import { percentile, round } from './stats.ts';

/**
 * The latency of the Systems data (GET /systems: the switches and, per system, its breaker, rate
 * budget and 15 minutes of call figures), sequential requests after a warm-up, with figures in the
 * table from the calls the bench made before.
 */
export async function measureSystems(local: LocalMode, token: string, iterations: number) {
  const samples: number[] = [];
  let systems = 0;
  for (let index = 0; index < iterations + 20; index++) {
    const started = performance.now();
    const response = await fetch(`${local.url}/systems`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { systems?: unknown[] };
    if (response.status !== 200) throw new Error(`GET /systems answered ${response.status}`);
    if (index >= 20) samples.push(performance.now() - started);
    systems = body.systems?.length ?? 0;
  }
  return {
    'GET /systems p50 ms': round(percentile(samples, 50)),
    'GET /systems p99 ms': round(percentile(samples, 99)),
    systems,
    iterations,
  };
}
