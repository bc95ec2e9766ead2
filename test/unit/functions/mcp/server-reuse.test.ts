import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type ServeMcpDeps, serveMcp } from '#functions/mcp/serve/serve-mcp.ts';
import type { AuditRecord } from '#layers/audit/audit-repository.ts';
import { policySchema } from '#layers/auth/policy.ts';
import { McpServerPool } from '#layers/mcp/gateway-mcp.ts';
import { defineReadTool } from '#layers/tools/define.ts';
import { createRegistry } from '#layers/tools/tool-registry.ts';
import type { ToolRunner } from '#layers/tools/tool-runner.ts';
import type { DecideDeps } from '#layers/writes/decisions.ts';
import { apiGatewayEvent } from '#test/helpers/lambda.ts';

const whoAmI = defineReadTool({
  name: 'who_am_i',
  title: 'Who am I',
  description: 'Answers the subject the gateway called the system for. Use it in tests.',
  risk: 'read',
  systems: ['erp'],
  input: z.strictObject({}),
  output: z.object({ sub: z.string().describe('The caller the answer was made for.') }),
  run: async () => {
    throw new Error('the fake runner answers instead');
  },
});

const policy = policySchema.parse({
  version: 'reuse-test-1',
  approverRole: 'approver',
  adminRole: 'admin',
  auditorRole: 'auditor',
  roles: { clerk: { description: 'Asks who they are.', grants: ['who_am_i'] } },
});

/** The MCP edge over fakes; `hold` keeps one subject's call waiting until it is released. */
function edge(hold: { sub: string; until: Promise<void> }) {
  const audited: AuditRecord[] = [];
  const runner = {
    async admit() {},
    async run(_tool: unknown, _input: unknown, ctx: { caller: { sub: string } }) {
      if (ctx.caller.sub === hold.sub) await hold.until;
      return {
        data: { sub: ctx.caller.sub },
        meta: { requestId: 'req', durationMs: 1, degraded: [], cache: 'none' as const },
      };
    },
  } as unknown as ToolRunner;
  const deps = {
    resolver: { fromToken: async (token: string) => ({ sub: token, roles: ['clerk'] }) },
    issuer: 'https://issuer.example',
    allowedOrigins: [],
    registry: createRegistry([whoAmI]),
    policy,
    runner,
    auditor: {
      async record(record: AuditRecord) {
        audited.push(record);
        return undefined;
      },
    },
    logger: { error: () => undefined, warn: () => undefined },
    proposals: () => {
      throw new Error('no write in these tests');
    },
    decisions: {} as DecideDeps,
    listing: 'all',
    pinned: [],
    version: '0.0.0-test',
  } as unknown as ServeMcpDeps;
  const pool = new McpServerPool(deps);
  return { serve: serveMcp(deps, { legacyPool: pool }), pool, audited };
}

const call = (sub: string, id: number) =>
  apiGatewayEvent({
    method: 'POST',
    path: '/mcp',
    headers: { authorization: `Bearer ${sub}`, 'mcp-protocol-version': '2025-11-25' },
    body: { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'who_am_i', arguments: {} } },
  });

const subOf = (result: { body?: string | undefined }) =>
  JSON.parse(String(result.body)).result?.structuredContent?.sub ?? String(result.body);

describe('MCP servers kept across requests in a warm function', () => {
  it('serves two users interleaved, each with their own answer and audit record, and reuses the servers after', async () => {
    // Arrange: ann's call waits inside the server until bob's has been answered
    let release = () => {};
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { serve, pool, audited } = edge({ sub: 'ann', until });

    // Act
    const ann = serve(call('ann', 1));
    const bob = await serve(call('bob', 2));
    release();
    const annAnswer = await ann;
    const later = [];
    for (const [index, sub] of ['bob', 'ann', 'bob', 'ann'].entries())
      later.push(await serve(call(sub, 10 + index)));

    // Assert
    expect(subOf(bob)).toBe('bob');
    expect(subOf(annAnswer)).toBe('ann');
    expect(later.map(subOf)).toEqual(['bob', 'ann', 'bob', 'ann']);
    expect(audited.map((record) => record.sub)).toEqual(['bob', 'ann', 'bob', 'ann', 'bob', 'ann']);
    // Two servers for the two requests in flight at once, none built for the four after them.
    expect(pool.created).toBe(2);
  });
});

describe('2025-era HTTP rules, served without the SDK transport built per request', () => {
  const { serve, pool } = edge({ sub: 'nobody', until: Promise.resolve() });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    serve(
      apiGatewayEvent({
        method: 'POST',
        path: '/mcp',
        headers: { authorization: 'Bearer ann', 'mcp-protocol-version': '2025-03-26', ...headers },
        body,
      }),
    );
  const errorOf = (result: { statusCode?: number; body?: string | undefined }) => ({
    status: result.statusCode,
    ...(JSON.parse(String(result.body)) as { error: { code: number; message: string } }).error,
  });
  const toolCall = (id: number) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'who_am_i', arguments: {} },
  });

  it('refuses what the SDK transport refuses, with its status and JSON-RPC code', async () => {
    expect(
      errorOf(await post(JSON.stringify(toolCall(1)), { 'content-type': 'text/plain' })),
    ).toMatchObject({
      status: 415,
      code: -32000,
      message: expect.stringMatching(/Content-Type must be application\/json/),
    });
    expect(errorOf(await post({ jsonrpc: '2.0', id: 1, methd: 'tools/call' }))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/JSON-RPC message/),
    });
    expect(errorOf(await post(Array.from({ length: 101 }, (_, id) => toolCall(id))))).toMatchObject(
      { status: 400, code: -32600, message: expect.stringMatching(/exceed 100/) },
    );
    expect(errorOf(await post([toolCall(7), toolCall(7)]))).toMatchObject({
      status: 400,
      code: -32600,
      message: expect.stringMatching(/unique/),
    });
    expect(
      errorOf(await post(toolCall(1), { 'mcp-protocol-version': '1999-01-01' })),
    ).toMatchObject({ status: 400, code: -32000, message: expect.stringMatching(/1999-01-01/) });
  });

  it('answers a batch in its order, a notification with 202 and no body, and an initialize alone', async () => {
    const batch = await post([
      toolCall(2),
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      toolCall(1),
    ]);
    expect(batch.statusCode).toBe(200);
    expect((JSON.parse(String(batch.body)) as { id: number }[]).map((answer) => answer.id)).toEqual(
      [2, 1],
    );

    const notification = await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(notification).toMatchObject({ statusCode: 202, body: '' });

    const initialize = await post({
      jsonrpc: '2.0',
      id: 'init',
      method: 'initialize',
      params: {
        protocolVersion: '2025-03-26',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    });
    expect(JSON.parse(String(initialize.body))).toMatchObject({
      id: 'init',
      result: { protocolVersion: '2025-03-26', serverInfo: { name: 'toolgate' } },
    });
    // Every exchange ran on the one server the pool built, connected once.
    expect(pool.created).toBe(1);
  });
});
