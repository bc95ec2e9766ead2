import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuthenticator } from '#layers/connectors/authenticator.ts';
import { createHttpConnector } from '#layers/connectors/http-connector.ts';
import { defineSystem } from '#layers/connectors/system-definition.ts';
import { UpstreamTimeoutError } from '#layers/errors/index.ts';

const system = defineSystem({
  id: 'erp',
  displayName: 'ERP',
  apiShape: 'test',
  auth: { type: 'bearer' },
  pagination: { style: 'none' },
});

describe('upstream HTTP through the pooled keep-alive client', () => {
  let server: Server;
  let baseUrl: string;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url?.startsWith('/slow')) return; // never answers: the deadline must end it
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ orderId: request.url?.split('/').pop() }));
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const connector = (timeoutMs = 2_000) =>
    createHttpConnector({
      system,
      baseUrl,
      authenticator: createAuthenticator({
        system,
        baseUrl,
        secretId: 'erp',
        secrets: { getJson: async () => ({ token: 'tok-1' }) },
      }),
      timeoutMs,
      requestId: 'req-keep-alive',
      logger: { debug: () => undefined, warn: () => undefined },
    });

  it('sends sequential calls of separate tool calls over pooled connections, each with its own deadline', async () => {
    // Arrange
    const before = connections;

    // Act: 30 calls, a new connector each (as each tool call builds its own)
    const answers = [];
    for (let index = 0; index < 30; index++) {
      answers.push(
        await connector().request({
          operation: 'orders.get',
          path: `/orders/SO-${index}`,
          response: z.object({ orderId: z.string() }),
        }),
      );
    }
    const opened = connections - before;
    const slow = connector(150).request({
      operation: 'orders.slow',
      path: '/slow/SO-1',
      response: z.object({ orderId: z.string() }),
    });

    // Assert
    expect(answers.map((answer) => answer.orderId)).toEqual(
      Array.from({ length: 30 }, (_, index) => `SO-${index}`),
    );
    // Pooled: a call may open a second socket while the one before is being handed back, never one per call.
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened).toBeLessThanOrEqual(2);
    await expect(slow).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });
});
