import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords } from '#test/helpers/audit.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

const roles = ['support'];
const reason = 'mcp integration test';

/** A record as both transports must write it: without who, when, keys and timing. */
function comparable(record: Record<string, unknown>): Record<string, unknown> {
  const { pk, sk, auditId, at, day, expiresAt, durationMs, requestId, sub, upstream, ...rest } =
    record;
  // The same calls to the same systems; each has the system's own request id, so they differ.
  const calls = (upstream as { system: string; requestId?: string; status?: number }[]) ?? [];
  expect(calls.every((call) => call.requestId)).toBe(true);
  return { ...rest, upstream: calls.map(({ system, status }) => ({ system, status })) };
}

describe('one tool-call core behind REST and MCP', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('gives the same answer, denial, validation and audit record for the same calls over both', async () => {
    // Arrange: the same calls, as two users of the same roles, one per transport
    const calls = [
      { name: 'get_customer', input: { customerId: 'C-00021' } },
      { name: 'create_order', input: { customerId: 'C-00021', lines: [] } },
      { name: 'get_customer', input: { customerId: 42, extra: true } },
    ];
    const mcp = await connectMcp(local, { sub: 'core-mcp', roles });
    // Act
    const rest = [];
    const overMcp = [];
    for (const call of calls) {
      rest.push(
        await local.call('POST', `/tools/${call.name}`, {
          as: { sub: 'core-rest', roles },
          body: call.input,
          headers: { 'x-agent-reason': reason },
        }),
      );
      overMcp.push(
        await mcp.callTool({ name: call.name, arguments: call.input }).catch((error: Error) => ({
          thrown: error.message,
        })),
      );
    }
    await mcp.close();
    // Assert: the answers translate one into the other
    const [read, denied, invalid] = rest;
    const [readMcp, deniedMcp, invalidMcp] = overMcp as Record<string, any>[];
    expect(read?.status).toBe(200);
    expect(readMcp?.structuredContent).toEqual(read?.body.data);
    expect(denied?.status).toBe(403);
    expect(deniedMcp?.thrown).toContain('Unknown tool: create_order');
    expect(invalid?.status).toBe(400);
    expect(invalidMcp?.isError).toBe(true);
    expect(invalidMcp?.structuredContent).toEqual(invalid?.body);
    // and the audit records are the same, field for field
    const items = await auditRecords(local);
    const of = (sub: string) =>
      items
        .filter((item) => item.sub === sub)
        .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
        .map(comparable);
    const restRecords = of('core-rest');
    expect(restRecords).toHaveLength(3);
    expect(restRecords.map((record) => record.errorCode)).toEqual([
      undefined,
      'forbidden',
      'validation_failed',
    ]);
    expect(of('core-mcp')).toEqual(restRecords);
  });
});
