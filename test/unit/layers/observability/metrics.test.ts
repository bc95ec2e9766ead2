import { describe, expect, it } from 'vitest';
import { recordCircuitOpened } from '#layers/observability/metrics.ts';

describe('recordCircuitOpened', () => {
  it('writes an embedded-metric-format line CloudWatch turns into Toolgate/CircuitOpened per system', () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      recordCircuitOpened('erp');
    } finally {
      process.stdout.write = write;
    }
    const emf = lines.map((line) => JSON.parse(line)).find((entry) => entry._aws);
    expect(emf).toMatchObject({ System: 'erp', CircuitOpened: 1 });
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Toolgate',
      Dimensions: [expect.arrayContaining(['System'])],
      Metrics: [{ Name: 'CircuitOpened', Unit: 'Count' }],
    });
  });
});
