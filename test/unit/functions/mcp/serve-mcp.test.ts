import { describe, expect, it } from 'vitest';
import { type ServeMcpDeps, serveMcp } from '#functions/mcp/serve/serve-mcp.ts';
import { AuthenticationError, UpstreamUnavailableError } from '#layers/errors/index.ts';
import { apiGatewayEvent } from '#test/helpers/lambda.ts';

const event = (headers: Record<string, string>) =>
  apiGatewayEvent({
    method: 'POST',
    path: '/mcp',
    headers: { host: '127.0.0.1:3000', ...headers },
    body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    requestId: 'req-unit-1',
  });

/** Only what the edge uses before a caller is known: authentication fails first. */
function depsFailingWith(error: Error): ServeMcpDeps {
  return {
    resolver: {
      fromToken: async () => {
        throw error;
      },
    },
    issuer: 'https://issuer.example',
    allowedOrigins: [],
  } as unknown as ServeMcpDeps;
}

describe('serveMcp authentication', () => {
  it('answers 503 with Retry-After and no challenge when the key endpoint is down', async () => {
    const serve = serveMcp(
      depsFailingWith(new UpstreamUnavailableError('keys down', { retryAfterMs: 5000 })),
    );
    const res = await serve(event({ authorization: 'Bearer a.b.c' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(String(res.body)).error.code).toBe('upstream_unavailable');
  });

  it('challenges a bad token with error="invalid_token" and the resource metadata, once', async () => {
    const serve = serveMcp(
      depsFailingWith(new AuthenticationError('invalid_token', 'The signature does not verify.')),
    );
    const res = await serve(event({ authorization: 'Bearer a.b.c' }));
    expect(res.statusCode).toBe(401);
    const challenges = Object.entries(res.headers).filter(
      ([name]) => name.toLowerCase() === 'www-authenticate',
    );
    expect(challenges).toHaveLength(1);
    expect(challenges[0]?.[1]).toContain('error="invalid_token"');
    expect(challenges[0]?.[1]).toContain('resource_metadata=');
  });
});
