import { describe, expect, it } from 'vitest';
import {
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
    });

    expect(lines.map(declared)).toEqual([
      {
        dimensions: ['service', 'Tool'],
        metrics: { ToolCalls: 'Count', ToolLatency: 'Milliseconds', CacheHits: 'Count' },
      },
      {
        dimensions: ['service', 'Tool'],
        metrics: { ToolCalls: 'Count', ToolLatency: 'Milliseconds' },
      },
      { dimensions: ['service', 'Tool', 'Category'], metrics: { ToolErrors: 'Count' } },
    ]);
    expect(lines[0]).toMatchObject({ Tool: 'get_customer', ToolLatency: 42 });
    expect(lines[2]).toMatchObject({ Tool: 'create_order', Category: 'validation' });
  });

  it('records a request to a system, its errors per system and per category, and budget waits', async () => {
    const lines = await printedMetrics(() => {
      recordSystemCall('crm', { durationMs: 120 });
      recordSystemCall('crm', { durationMs: 5000, errorCategory: 'upstream' });
      recordBudgetWait('crm');
    });

    expect(lines.map(declared)).toEqual([
      {
        dimensions: ['service', 'System'],
        metrics: { SystemCalls: 'Count', SystemLatency: 'Milliseconds' },
      },
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
});
