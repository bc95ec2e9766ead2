import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiGateway, portOf } from '#local/api-gateway.ts';
import { LocalTimings, localTimings } from '#local/timings.ts';

describe('LocalTimings', () => {
  it('records nothing while disabled', () => {
    // Arrange
    const timings = new LocalTimings();
    // Act
    timings.recordGateway({ totalMs: 3, handlerMs: 2 });
    timings.recordDynamodb(1);
    // Assert
    expect(timings.take()).toEqual({ gateway: [], dynamodbMs: [] });
  });

  it('hands over what it recorded once, then starts again', () => {
    const timings = new LocalTimings();
    timings.enable();
    timings.recordGateway({ totalMs: 3, handlerMs: 2 });
    timings.recordDynamodb(1.5);
    expect(timings.take()).toEqual({ gateway: [{ totalMs: 3, handlerMs: 2 }], dynamodbMs: [1.5] });
    expect(timings.take()).toEqual({ gateway: [], dynamodbMs: [] });
  });
});

describe('local API gateway timings', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const handler = async () => {
      // Busy for a few ms, so the handler's share is measurably above zero.
      const until = performance.now() + 5;
      while (performance.now() < until);
      return { statusCode: 200, body: '{}' };
    };
    server = createApiGateway([
      { method: 'GET', path: '/health', functionName: 'health', handler: async () => handler },
    ]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = portOf(server);
  });

  afterAll(async () => {
    localTimings.disable();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('records the handler time and the whole time of a request when enabled, none otherwise', async () => {
    // Arrange
    await (await fetch(`http://127.0.0.1:${port}/health`)).arrayBuffer();
    expect(localTimings.take().gateway).toEqual([]);
    localTimings.enable();
    // Act
    await (await fetch(`http://127.0.0.1:${port}/health`)).arrayBuffer();
    // Assert
    const [timing, ...rest] = localTimings.take().gateway;
    expect(rest).toEqual([]);
    expect(timing?.handlerMs).toBeGreaterThanOrEqual(5);
    expect(timing?.totalMs).toBeGreaterThanOrEqual(timing?.handlerMs ?? Number.NaN);
  });
});
