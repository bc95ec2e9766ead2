import { describe, expect, it } from 'vitest';
import {
  flushMetrics,
  MetricsBuffer,
  recordBudgetWait,
  recordCircuitOpened,
  recordSystemCall,
  recordToolCall,
} from '#layers/observability/metrics.ts';
import { printedMetrics } from '#test/helpers/emf.ts';

/** What one line declares: `{ dimensions, metrics: {name: unit} }`. */
const declared = (line: Record<string, any>) => ({
  dimensions: line._aws.CloudWatchMetrics[0].Dimensions[0],
  metrics: Object.fromEntries(
    line._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string; Unit: string }) => [
      m.Name,
      m.Unit,
    ]),
  ),
});

describe('gateway metrics', () => {
  it('writes one line CloudWatch turns into Toolgate/CircuitOpened per system and service', async () => {
    const [line, ...more] = await printedMetrics(() => recordCircuitOpened('erp'));

    expect(more).toEqual([]);
    expect(line).toMatchObject({ System: 'erp', service: 'toolgate', CircuitOpened: 1 });
    expect(line?._aws.CloudWatchMetrics[0].Namespace).toBe('Toolgate');
    expect(declared(line as Record<string, any>)).toEqual({
      dimensions: ['service', 'System'],
      metrics: { CircuitOpened: 'Count' },
    });
  });

  it('records a tool call with its latency and cache hit, and a failed one by category', async () => {
    const lines = await printedMetrics(() => {
      recordToolCall('get_customer', { durationMs: 42, cache: 'hit' });
      recordToolCall('create_order', { durationMs: 7, errorCategory: 'validation' });
      flushMetrics();
    });

    // A failed call prints its tool's line and its error at once; a success waits for the flush.
    expect(lines.map(declared)).toEqual([
      {
        dimensions: ['service', 'Tool'],
        metrics: { ToolCalls: 'Count', ToolLatency: 'Milliseconds' },
      },
      { dimensions: ['service', 'Tool', 'Category'], metrics: { ToolErrors: 'Count' } },
      {
        dimensions: ['service', 'Tool'],
        metrics: { ToolCalls: 'Count', ToolLatency: 'Milliseconds', CacheHits: 'Count' },
      },
    ]);
    expect(lines[1]).toMatchObject({ Tool: 'create_order', Category: 'validation' });
    expect(lines[2]).toMatchObject({ Tool: 'get_customer', ToolLatency: 42 });
  });

  it('records a request to a system, its errors per system and per category, and budget waits', async () => {
    const lines = await printedMetrics(() => {
      recordSystemCall('crm', { durationMs: 120 });
      recordSystemCall('crm', { durationMs: 5000, errorCategory: 'upstream' });
      recordBudgetWait('crm');
    });

    // A failed request prints its system's line at once, with the calls held so far.
    expect(lines.map(declared)).toEqual([
      {
        dimensions: ['service', 'System'],
        metrics: { SystemCalls: 'Count', SystemLatency: 'Milliseconds', SystemErrors: 'Count' },
      },
      {
        dimensions: ['service', 'System', 'Category'],
        metrics: { SystemErrorsByCategory: 'Count' },
      },
      { dimensions: ['service', 'System'], metrics: { BudgetWaits: 'Count' } },
    ]);
  });

  it('prints nothing when metrics are disabled, as in local mode and tests', async () => {
    const lines = await printedMetrics(() => {
      process.env.POWERTOOLS_METRICS_DISABLED = 'true';
      recordToolCall('get_customer', { durationMs: 1 });
      recordSystemCall('erp', { durationMs: 1, errorCategory: 'upstream' });
    });

    expect(lines).toEqual([]);
  });

  it("adds up a busy instance's calls into one line per tool and interval", async () => {
    let now = 0;
    const buffer = new MetricsBuffer({ now: () => now, flushAfterMs: 10_000 });
    const call = (latency: number) =>
      buffer.add({ Tool: 'get_order_status' }, [
        ['ToolCalls', 'Count', 1],
        ['ToolLatency', 'Milliseconds', latency],
      ]);

    const held = await printedMetrics(() => {
      for (let index = 0; index < 30; index++) call(index);
      now = 9_999;
      call(30);
    });
    const printed = await printedMetrics(() => {
      now = 10_000;
      call(31);
    });

    expect(held).toEqual([]);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatchObject({ Tool: 'get_order_status', ToolCalls: 32 });
    expect(printed[0]?.ToolLatency).toEqual(Array.from({ length: 32 }, (_, index) => index));
  });

  it('prints a line as soon as a latency holds the 100 samples a line may carry', async () => {
    const buffer = new MetricsBuffer({ now: () => 0 });
    const lines = await printedMetrics(() => {
      for (let index = 0; index < 150; index++)
        buffer.add({ System: 'erp' }, [
          ['SystemCalls', 'Count', 1],
          ['SystemLatency', 'Milliseconds', 5],
        ]);
    });

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ SystemCalls: 100 });
    expect(lines[0]?.SystemLatency).toHaveLength(100);
  });
});
