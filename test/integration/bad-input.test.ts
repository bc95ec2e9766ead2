import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const sales = { sub: 'sam', roles: ['sales'] };

/** Every error answer has the envelope and a request id. */
function expectEnvelope(
  res: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(res.body.error).toMatchObject({
    code,
    retryable: expect.any(Boolean),
    category: expect.any(String),
  });
  expect(res.body.error.message.length).toBeGreaterThan(10);
  expect(res.headers.get('x-request-id')).toBeTruthy();
}

describe('bad input in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('answers 400 invalid_json for malformed JSON', async () => {
    const res = await local.call('POST', '/tools/get_order_status', {
      as: sales,
      rawBody: '{"orderId": ',
      headers: { 'content-type': 'application/json' },
    });
    expectEnvelope(res, 400, 'invalid_json');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await local.call('POST', '/tools/get_order_status', {
      as: sales,
      rawBody: 'orderId=SO-100001',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectEnvelope(res, 415, 'unsupported_media_type');
  });

  it('answers 413 for a body over 256 KB', async () => {
    const res = await local.call('POST', '/tools/get_order_status', {
      as: sales,
      body: { orderId: 'SO-100001', padding: 'x'.repeat(300 * 1024) },
    });
    expectEnvelope(res, 413, 'payload_too_large');
  });

  it('answers 404 for an unknown tool, saying how to list tools', async () => {
    const res = await local.call('POST', '/tools/delete_everything', { as: sales, body: {} });
    expectEnvelope(res, 404, 'tool_not_found');
    expect(res.body.error.message).toContain('GET /tools');
    const described = await local.call('GET', '/tools/delete_everything', { as: sales });
    expectEnvelope(described, 404, 'tool_not_found');
  });

  it('answers 400 with one issue per invalid or unknown field, each saying how to fix it', async () => {
    const res = await local.call('POST', '/tools/get_customer_orders', {
      as: sales,
      body: { customerId: 'acme', limit: 0, status: 'lost', colour: 'red' },
    });
    expectEnvelope(res, 400, 'validation_failed');
    const byPath = Object.fromEntries(
      res.body.error.issues.map((issue: { path: string; message: string }) => [
        issue.path,
        issue.message,
      ]),
    );
    expect(Object.keys(byPath).sort()).toEqual(['colour', 'customerId', 'limit', 'status']);
    expect(byPath.customerId).toContain('C-00042');
    expect(byPath.status).toContain('"pending"');
    expect(byPath.colour).toContain('remove it');
  });

  it('bounds the error of a body with thousands of unknown fields, naming the first ones and the count', async () => {
    // Arrange: about 200 KB of unknown fields with long names
    const body: Record<string, string> = { orderId: 'SO-100001' };
    for (let i = 0; i < 4000; i += 1) body[`unknown_${i}_${'x'.repeat(30)}`] = 'y';
    const sent = JSON.stringify(body).length;
    // Act
    const res = await local.call('POST', '/tools/get_order_status', { as: sales, body });
    // Assert
    expectEnvelope(res, 400, 'validation_failed');
    const answered = JSON.stringify(res.body).length;
    expect(answered).toBeLessThan(10_000);
    expect(answered).toBeLessThan(sent / 20);
    expect(res.body.error.issues).toHaveLength(21);
    expect(res.body.error.issues[0].path).toBe(`unknown_0_${'x'.repeat(30)}`);
    expect(res.body.error.issues[20].message).toContain('3980 more issues');
    expect(res.body.error.message).toContain('and 3980 more');
  });

  it('answers 400 naming a missing required field', async () => {
    const res = await local.call('POST', '/tools/get_customer', { as: sales, body: {} });
    expectEnvelope(res, 400, 'validation_failed');
    expect(res.body.error.issues).toEqual([
      { path: 'customerId', message: expect.stringContaining('Required') },
    ]);
  });

  it('answers 400 for a JSON body that is not an object', async () => {
    const res = await local.call('POST', '/tools/get_customer', { as: sales, body: ['C-00001'] });
    expectEnvelope(res, 400, 'validation_failed');
  });

  it('answers 401 missing_token without a token', async () => {
    const res = await local.call('GET', '/tools');
    expectEnvelope(res, 401, 'missing_token');
    // RFC 6750 §3.1: no error code when the request carried no token at all
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 401 token_expired for an expired token', async () => {
    const token = await local.issuer.issue({
      sub: 'sam',
      roles: ['sales'],
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
      expiresInSeconds: 60,
    });
    expectEnvelope(await local.call('GET', '/tools', { token }), 401, 'token_expired');
  });

  it('answers 401 for a token issued for another audience', async () => {
    const token = await local.issuer.issue({
      sub: 'sam',
      roles: ['sales'],
      audience: 'someone-else',
    });
    const res = await local.call('GET', '/tools', { token });
    expectEnvelope(res, 401, 'invalid_token');
    expect(res.body.error.message).toContain('aud');
  });

  it('answers 401 for a token with a forged signature', async () => {
    const token = await local.issuer.issue({ sub: 'sam', roles: ['admin'] });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const res = await local.call('POST', '/tools/get_customer', {
      token: forged,
      body: { customerId: 'C-00001' },
    });
    expectEnvelope(res, 401, 'invalid_token');
    expect(res.body.error.message).toContain('signature');
  });

  it("answers 403 for a tool the caller's roles do not grant, distinct from 401", async () => {
    const viewer = { sub: 'vic', roles: ['viewer'] };
    const call = await local.call('POST', '/tools/get_customer_orders', {
      as: viewer,
      body: { customerId: 'C-00001' },
    });
    expectEnvelope(call, 403, 'forbidden');
    expect(call.body.error.message).toContain('viewer');
    const describe = await local.call('GET', '/tools/get_customer_orders', { as: viewer });
    expectEnvelope(describe, 403, 'forbidden');
  });

  it('answers 404 with the envelope for a route that does not exist', async () => {
    const res = await local.call('GET', '/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
  });

  it('answers 400 or 404, never 500, for malformed percent-encoding in any route', async () => {
    // Arrange: every route of local mode that takes a path parameter, and some that take none
    const routes = [
      'GET /tools/{}',
      'POST /tools/{}',
      'POST /confirmations/{}',
      'DELETE /confirmations/{}',
      'GET /operations/{}',
      'PUT /admin/switches/{}/send_email',
      'PUT /admin/switches/tool/{}',
      'POST /admin/cache/{}/invalidate',
      'POST /webhooks/{}',
      'GET /health/{}',
      'POST /mcp/{}',
      'GET /openapi.json{}',
      'GET /{}',
    ];
    const admin = { sub: 'root', roles: ['admin'] };
    const answers: string[] = [];

    // Act
    for (const route of routes) {
      for (const malformed of ['%E0%A4%A', '%', '%zz']) {
        const [method, path] = route.split(' ') as [string, string];
        const res = await local.call(method, path.replace('{}', malformed), {
          as: admin,
          ...(method === 'GET' ? {} : { body: {} }),
        });
        answers.push(
          `${method} ${path.replace('{}', malformed)} ${res.status} ${res.body.error?.code}`,
        );
      }
    }

    // Assert: each is refused with the envelope as a bad or unknown path
    expect(answers.filter((answer) => !/ (400 validation_failed|404 \w+)$/.test(answer))).toEqual(
      [],
    );
  });
});
