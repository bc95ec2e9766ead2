import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

const ana = { sub: 'ana', roles: ['support'] };
const both = 'application/json, text/event-stream';
const rpc = (method: string, params: Record<string, unknown> = {}, id = 1) => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
});

/** A POST with exactly the given headers: fetch would add `Accept: *\/*` of its own. */
function rawPost(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': text.length },
      },
      (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => {
          data += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('MCP wire protocol in local mode', () => {
  let local: LocalHarness;
  const post = async (body: unknown, headers: Record<string, string> = {}, as = ana) =>
    local.call('POST', '/mcp', { as, body, headers: { accept: both, ...headers } });

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('answers JSON when Accept is missing, */* or only application/json, and 406 when it admits no JSON', async () => {
    // Arrange
    const authorization = `Bearer ${await local.token(ana.sub, ana.roles)}`;
    const list = rpc('tools/list');
    // Act
    const missing = await rawPost(`${local.url}/mcp`, { authorization }, list);
    const any = await local.call('POST', '/mcp', {
      as: ana,
      body: list,
      headers: { accept: '*/*' },
    });
    const json = await local.call('POST', '/mcp', {
      as: ana,
      body: list,
      headers: { accept: 'application/json' },
    });
    const html = await local.call('POST', '/mcp', {
      as: ana,
      body: list,
      headers: { accept: 'text/html' },
    });
    // Assert
    for (const answer of [missing, any, json]) {
      expect(answer.status).toBe(200);
      expect(answer.body.result.tools.length).toBeGreaterThan(0);
    }
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(html.status).toBe(406);
    expect(html.body.error.message).toContain('application/json');
  });

  it('accepts an Origin equal to its own address with MCP_ALLOWED_ORIGINS empty, and no other', async () => {
    // Arrange
    const port = new URL(local.url).port;
    // Act
    const own = await post(rpc('tools/list'), { origin: local.url });
    const otherPort = await post(rpc('tools/list'), { origin: 'http://127.0.0.1:1' });
    const foreign = await post(rpc('tools/list'), { origin: 'https://evil.example' });
    // DNS rebinding: the attacker's name resolves to us, so Host and Origin agree on it.
    const rebound = await post(rpc('tools/list'), {
      origin: `http://evil.example:${port}`,
      host: `evil.example:${port}`,
    });
    // Assert
    expect(own.status).toBe(200);
    expect(own.body.result.tools.length).toBeGreaterThan(0);
    expect([otherPort.status, foreign.status, rebound.status]).toEqual([403, 403, 403]);
  });

  it('sends a JSON-RPC error message once, without a doubled SDK prefix', async () => {
    // Arrange
    const client = await connectMcp(local, ana);
    // Act
    const raw = await post(rpc('tools/call', { name: 'no_such_tool', arguments: {} }));
    const thrown = await client
      .callTool({ name: 'no_such_tool', arguments: {} })
      .catch((error: Error) => error);
    await client.close();
    // Assert
    expect(raw.body.error.code).toBe(-32602);
    expect(raw.body.error.message).toMatch(/^Unknown tool: no_such_tool\./);
    expect((thrown as Error).message).toMatch(/^MCP error -32602: Unknown tool: no_such_tool\./);
  });

  it('answers names from the prototype chain as unknown tools, not internal errors', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      // Act
      const answer = await post(rpc('tools/call', { name, arguments: {} }));
      // Assert
      expect(answer.body.error?.code, name).toBe(-32602);
      expect(answer.body.error.message, name).toContain(`Unknown tool: ${name}`);
    }
  });

  it('refuses a tools/list cursor it never issued with -32602', async () => {
    // Act
    const answer = await post(rpc('tools/list', { cursor: 'not-a-cursor' }));
    // Assert
    expect(answer.body.error.code).toBe(-32602);
    expect(answer.body.error.message).toMatch(/cursor/);
  });

  it('challenges a request without a token without an error code, and a bad token with invalid_token', async () => {
    // Act
    const none = await local.call('POST', '/mcp', {
      body: rpc('tools/list'),
      headers: { accept: both },
    });
    const bad = await local.call('POST', '/mcp', {
      token: 'not.a.jwt',
      body: rpc('tools/list'),
      headers: { accept: both },
    });
    // Assert: RFC 6750 §3.1, no error code when the request carries no credentials
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="[^"]+"$/);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses JSON-RPC batches on protocol 2025-06-18 and later, and answers them on 2025-03-26', async () => {
    // Arrange
    const batch = [rpc('tools/list', {}, 1), rpc('tools/list', {}, 2)];
    // Act
    const refused = await Promise.all(
      ['2025-06-18', '2025-11-25'].map((version) =>
        post(batch, { 'mcp-protocol-version': version }),
      ),
    );
    const old = await post(batch, { 'mcp-protocol-version': '2025-03-26' });
    // Assert
    for (const answer of refused) {
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe(-32600);
      expect(answer.body.error.message).toMatch(/batch/i);
    }
    expect(old.status).toBe(200);
    expect(old.body.map((response: { id: number }) => response.id).sort()).toEqual([1, 2]);
  });

  it('gives a tool error the REST error envelope as structured content, valid for clients that check output schemas', async () => {
    // Arrange: listing first makes the SDK client check results against the output schemas
    const client = await connectMcp(local, ana);
    await client.listTools();
    // Act
    const result = await client.callTool({
      name: 'get_customer',
      arguments: { customerId: 'acme' },
    });
    await client.close();
    // Assert
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      error: {
        code: 'validation_failed',
        category: 'validation',
        retryable: false,
        issues: [expect.objectContaining({ path: 'customerId' })],
      },
    });
  });
});
