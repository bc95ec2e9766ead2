import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const root = { sub: 'root', roles: ['admin'] };
/** Names every plain object answers through its prototype. */
const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('names from the prototype chain over HTTP in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it.each(NAMES)(
    'are unknown wherever a path names a tool, source, system or switch: %s',
    async (name) => {
      // Arrange
      const segment = encodeURIComponent(name);
      const calls: [string, string, unknown?][] = [
        ['GET', `/tools/${segment}`],
        ['POST', `/tools/${segment}`, {}],
        ['POST', `/webhooks/${segment}`, {}],
        ['PUT', `/admin/switches/tool/${segment}`, { enabled: true }],
        ['PUT', `/admin/switches/system/${segment}`, { enabled: true }],
        ['PUT', `/admin/switches/${segment}/crm`, { enabled: true }],
        ['POST', `/admin/cache/${segment}/invalidate`],
      ];
      for (const [method, path, body] of calls) {
        // Act
        const answer = await local.call(method, path, { as: root, ...(body ? { body } : {}) });
        // Assert
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.body.error.code, `${method} ${path}`).toMatch(/_not_found$/);
      }
    },
  );

  it('treats query parameters named like prototype keys as plain parameters', async () => {
    // Act
    const answer = await local.call('GET', '/tools?constructor=1&toString=2&__proto__=3', {
      as: root,
    });
    // Assert
    expect(answer.status).toBe(200);
    expect(answer.body.tools.length).toBeGreaterThan(0);
  });

  it('refuses MCP tool arguments that hide the input behind __proto__', async () => {
    // Arrange: written as text, so `__proto__` reaches the gateway as a key
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_customer","arguments":{"__proto__":{"customerId":"C-00021"}}}}`;
    // Act
    const answer = await local.call('POST', '/mcp', {
      as: root,
      rawBody: body,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
    // Assert
    expect(answer.body.result.isError).toBe(true);
    expect(answer.body.result.structuredContent.error.code).toBe('validation_failed');
  });
});
