import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuthenticator } from '#layers/connectors/authenticator.ts';
import { createHttpConnector } from '#layers/connectors/http-connector.ts';
import { defineSystem } from '#layers/connectors/system-definition.ts';
import { MAX_UPSTREAM_CALLS, UpstreamCalls } from '#layers/connectors/upstream-calls.ts';
import { RetryBudget } from '#layers/resilience/retry-budget.ts';
import { fakeFetch, jsonResponse } from '#test/helpers/fake-fetch.ts';

const silent = { debug: () => undefined, warn: () => undefined };

describe('upstream calls in the audit record', () => {
  it("notes each call's status and the system's own request id, retries included, token requests not", async () => {
    // Arrange
    const system = defineSystem({
      id: 'erp',
      displayName: 'ERP',
      apiShape: 'test',
      auth: { type: 'oauth2_client_credentials', tokenPath: '/oauth/token' },
      pagination: { style: 'none' },
      requestIdHeaders: ['x-vendor-request-id', 'x-request-id'],
    });
    let calls = 0;
    const fake = fakeFetch((request) => {
      if (request.url.endsWith('/oauth/token'))
        return jsonResponse(
          200,
          { access_token: 't', expires_in: 3600 },
          { 'x-request-id': 'tok' },
        );
      calls++;
      return calls === 1
        ? jsonResponse(503, {}, { 'x-request-id': 'first' })
        : jsonResponse(
            200,
            { ok: true },
            { 'x-vendor-request-id': 'second', 'x-request-id': 'echo' },
          );
    });
    const upstream = new UpstreamCalls();
    const connector = createHttpConnector({
      system,
      baseUrl: 'http://erp.test',
      authenticator: createAuthenticator({
        system,
        baseUrl: 'http://erp.test',
        secretId: 'erp',
        secrets: { getJson: async () => ({ clientId: 'c', clientSecret: 's' }) },
      }),
      timeoutMs: 1000,
      requestId: 'req-1',
      logger: silent,
      fetch: fake.fetch,
      retry: { maxAttempts: 2, budget: new RetryBudget(), random: () => 0, baseDelayMs: 1 },
      upstream,
    });
    // Act
    await connector.request({ operation: 'orders.get', path: '/orders/1', response: z.unknown() });
    // Assert
    expect(upstream.list()).toEqual([
      { system: 'erp', credential: 'service', requestId: 'first', status: 503 },
      { system: 'erp', credential: 'service', requestId: 'second', status: 200 },
    ]);
  });

  it('keeps at most MAX_UPSTREAM_CALLS calls', () => {
    // Arrange
    const upstream = new UpstreamCalls();
    // Act
    for (let index = 0; index < MAX_UPSTREAM_CALLS + 5; index++) upstream.add({ system: 'crm' });
    // Assert
    expect(upstream.list()).toHaveLength(MAX_UPSTREAM_CALLS);
  });
});
