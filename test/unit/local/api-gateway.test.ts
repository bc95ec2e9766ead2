import { request } from 'node:http';
import type { Server } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiGateway, portOf } from '#local/api-gateway.ts';

/** Sends a request target exactly as written (fetch would normalise it). */
function raw(port: number, method: string, target: string) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: target }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local API gateway', () => {
  let server: Server;
  let port: number;
  const received: APIGatewayProxyEventV2[] = [];

  beforeAll(async () => {
    const handler = async (event: APIGatewayProxyEventV2) => {
      received.push(event);
      return { statusCode: 200, body: '{}' };
    };
    server = createApiGateway(
      [
        { method: 'GET', path: '/tools/{name}', functionName: 'catalog' },
        { method: 'PUT', path: '/admin/switches/{kind}/{name}', functionName: 'admin' },
        { method: 'GET', path: '/health', functionName: 'health' },
        { method: 'GET', path: '/console', functionName: 'console' },
        { method: 'GET', path: '/console/{proxy+}', functionName: 'console' },
        { method: 'GET', path: '/console/{page}/{id}', functionName: 'pages' },
      ].map((route) => ({ ...route, handler: async () => handler })),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = portOf(server as never);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes path parameters to the function percent-decoded', async () => {
    const res = await raw(port, 'GET', '/tools/caf%C3%A9%2Fx');

    expect(res.status).toBe(200);
    expect(received.at(-1)?.pathParameters).toEqual({ name: 'café/x' });
  });

  it.each([
    ['/console/approvals', 'GET /console/{proxy+}', { proxy: 'approvals' }],
    ['/console/a/b/c.js', 'GET /console/{proxy+}', { proxy: 'a/b/c.js' }],
    ['/console/caf%C3%A9/x%20y', 'GET /console/{page}/{id}', { page: 'café', id: 'x y' }],
    ['/console/a%2Fb/c/d', 'GET /console/{proxy+}', { proxy: 'a/b/c/d' }],
    ['/console/approvals/cf_1/', 'GET /console/{proxy+}', { proxy: 'approvals/cf_1/' }],
    ['/console', 'GET /console', undefined],
    ['/console/', 'GET /console', undefined],
  ])(
    'routes %s to %s: a greedy variable takes the rest of the path, after any more specific route',
    async (target, routeKey, parameters) => {
      const res = await raw(port, 'GET', target);

      expect(res.status).toBe(200);
      expect(received.at(-1)?.routeKey).toBe(routeKey);
      expect(received.at(-1)?.pathParameters).toEqual(parameters);
      expect(received.at(-1)?.rawPath).toBe(target);
    },
  );

  it('answers 400 naming a greedy variable whose rest of the path is malformed', async () => {
    const res = await raw(port, 'GET', '/console/a/%zz/b');

    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: 'proxy', message: expect.any(String) }]);
  });

  it.each([
    ['GET', '/tools/%E0%A4%A', 'name'],
    ['GET', '/tools/%', 'name'],
    ['GET', '/tools/%zz', 'name'],
    ['PUT', '/admin/switches/tool/%C0', 'name'],
    ['PUT', '/admin/switches/%/x', 'kind'],
  ])(
    'answers %s %s with 400 naming the path parameter, without calling the function',
    async (method, target, parameter) => {
      const before = received.length;

      const res = await raw(port, method, target);

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'validation_failed',
        category: 'validation',
        retryable: false,
        issues: [{ path: parameter, message: expect.stringContaining('%25') }],
      });
      expect(res.body.error.message).toContain(`"${parameter}"`);
      expect(received.length).toBe(before);
    },
  );

  it.each(['//', '//%zz', '///tools', '/health%', '/%'])(
    'answers an unknown or unreadable path %s with 404 or 400, never 500',
    async (target) => {
      const res = await raw(port, 'GET', target);

      expect([400, 404]).toContain(res.status);
      expect(res.body.error.code).toEqual(expect.any(String));
    },
  );
});
