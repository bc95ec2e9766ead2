import { describe, expect, it } from 'vitest';
import { tracer } from '#layers/observability/tracer.ts';

describe('tracer', () => {
  it('is off outside Lambda, so local mode and the tests send no segment', () => {
    // Arrange: no AWS_EXECUTION_ENV here, and POWERTOOLS_TRACE_ENABLED=false (vitest.config.ts)
    // Act
    const enabled = tracer.isTracingEnabled();
    // Assert
    expect(enabled).toBe(false);
  });
});
