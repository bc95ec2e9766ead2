import type { SystemWatch } from '#layers/composition/connectors.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http-util/respond.ts';
import { type MinuteMetrics, readCallMetrics } from '#layers/resilience/call-metrics.ts';
import type { BreakerState } from '#layers/resilience/circuit-breaker.ts';
import type { KillSwitch, KillSwitches } from '#layers/resilience/kill-switches.ts';
import { mergeHistogram, percentile } from '#layers/resilience/latency-histogram.ts';
import type { AnyTool } from '#layers/tools/define.ts';
import type { ToolRegistry } from '#layers/tools/tool-registry.ts';

/** How many minutes of figures GET /systems answers, the current one included. */
const MINUTES = 15;

export interface SystemsDeps {
  registry: ToolRegistry;
  switches: () => Pick<KillSwitches, 'list'>;
  watches: readonly SystemWatch[];
  metrics: Parameters<typeof readCallMetrics>[0];
  /** @default Date.now */
  now?: () => number;
}

/** A switch as GET /systems shows it: on unless an administrator turned it off. */
const switchView = (found: KillSwitch | undefined) =>
  found
    ? {
        enabled: found.enabled,
        ...(found.reason ? { reason: found.reason } : {}),
        changedBy: found.changedBy,
        changedAt: found.changedAt,
      }
    : { enabled: true };

/** A system whose breaker the deployment turned off is never open. */
const closed: { state: BreakerState; openedAt?: number; retryAt?: number } = { state: 'closed' };

const iso = (at: number) => new Date(at).toISOString();

/** Totals and percentiles over the minutes, from their merged histograms. */
function totalsOf(minutes: readonly MinuteMetrics[]) {
  const latency = new Map<number, number>();
  let calls = 0;
  let errors = 0;
  for (const minute of minutes) {
    calls += minute.calls;
    errors += minute.errors;
    mergeHistogram(latency, minute.latency);
  }
  return {
    calls,
    errors,
    errorRate: calls === 0 ? 0 : Math.round((errors / calls) * 1000) / 1000,
    p50Ms: percentile(latency, 50),
    p95Ms: percentile(latency, 95),
  };
}

/**
 * GET /systems: for every business system, its breaker, kill switch, rate budget in use and the
 * last 15 minutes of calls, errors and latency as every instance counted them, with its tools
 * (their switches and whether they are cached). Any signed-in caller may read it: it holds no
 * input, no data and no secret. Every read is a GetItem on a known key.
 */
export function listSystems(deps: SystemsDeps): GatewayLogic {
  const now = deps.now ?? Date.now;
  return async () => {
    const at = now();
    const to = at - (at % 60_000);
    const from = to - (MINUTES - 1) * 60_000;
    const [switches, systems] = await Promise.all([
      deps.switches().list(),
      Promise.all(
        deps.watches.map(async (watch) => {
          const [breaker, budget, minutes] = await Promise.all([
            watch.breaker?.status() ?? closed,
            watch.budget?.usage(),
            readCallMetrics(deps.metrics, watch.system.id, from, to),
          ]);
          return { watch, breaker, budget, minutes };
        }),
      ),
    ]);
    const switchOf = (kind: 'system' | 'tool', name: string) =>
      switchView(switches.find((found) => found.kind === kind && found.name === name));
    const toolView = (tool: AnyTool) => ({
      name: tool.name,
      risk: tool.risk,
      switch: switchOf('tool', tool.name),
      cached: tool.risk === 'read' && Boolean(tool.cache),
    });
    return json(200, {
      systems: systems.map(({ watch, breaker, budget, minutes }) => ({
        id: watch.system.id,
        name: watch.system.displayName,
        breaker: {
          state: breaker.state,
          ...(breaker.openedAt ? { openedAt: iso(breaker.openedAt) } : {}),
          ...(breaker.retryAt ? { retryAt: iso(breaker.retryAt) } : {}),
        },
        switch: switchOf('system', watch.system.id),
        ...(budget ? { budget } : {}),
        minutes: minutes.map((minute) => ({
          at: iso(minute.at),
          calls: minute.calls,
          errors: minute.errors,
          p50Ms: percentile(minute.latency, 50),
          p95Ms: percentile(minute.latency, 95),
        })),
        totals: totalsOf(minutes),
        tools: deps.registry.all
          .filter((tool) => tool.systems.includes(watch.system.id))
          .map(toolView),
      })),
    });
  };
}
