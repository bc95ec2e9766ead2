import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

const ana = { sub: 'ana', roles: ['support'] };

describe('MCP tool errors when the per-user limit refuses a call', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    // One call per user per day: a window this long is not crossed while the test runs.
    local = await startLocalHarness({ USER_RATE_LIMIT: '1/86400' });
  });
  afterAll(() => local.stop());

  it('carries retryAfterMs in structured content as REST does', async () => {
    // Arrange
    const client = await connectMcp(local, ana);
    const call = () =>
      client.callTool({ name: 'get_customer', arguments: { customerId: 'C-00001' } });
    // Act
    const allowed = await call();
    const refused = await call();
    await client.close();
    // Assert
    expect(allowed.isError).toBeFalsy();
    expect(refused.isError).toBe(true);
    const error = (refused.structuredContent as { error: Record<string, unknown> }).error;
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(5_000);
  });
});
