import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';
import { sandboxRequestCount } from '#test/helpers/operations.ts';
import { isDrained } from '#test/helpers/queues.ts';
import { eventually } from '#test/helpers/webhooks.ts';

// support and sales together are granted every part of the customer context.
const ana = { sub: 'ana', roles: ['support', 'sales'] };

describe('get_customer_context: parallel reads that degrade', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({ UPSTREAM_TIMEOUT_MS: '1000' });
  });
  afterEach(async () => {
    await local.faults('erp', null);
    await local.faults('ticketing', null);
  });
  afterAll(() => local.stop());

  it('returns profile, recent orders and open tickets when every system answers', async () => {
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-00021', ordersLimit: 3 },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.customer.id).toBe('C-00021');
    expect(res.body.data.recentOrders).toHaveLength(3);
    expect(Array.isArray(res.body.data.openTickets)).toBe(true);
    expect(res.body.data.note).toBeNull();
    expect(res.body.meta.degraded).toEqual([]);
  });

  it('answers with what it has, meta.degraded and a note, when the ERP is down', async () => {
    await local.faults('erp', { down: true });
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-00021' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.customer.name).toBe('Northwind Traders');
    expect(res.body.data.recentOrders).toBeNull();
    expect(res.body.meta.degraded).toEqual([{ system: 'erp', reason: 'upstream_unavailable' }]);
    expect(res.body.data.note).toBe(
      'The account details and open support tickets are here, but recent orders are unavailable right now; try again in a minute for the rest.',
    );
  });

  it('degrades a slow system by its deadline instead of waiting for it', async () => {
    await local.faults('ticketing', { latencyMs: 3000 });
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-00021' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.openTickets).toBeNull();
    expect(res.body.meta.degraded).toEqual([{ system: 'ticketing', reason: 'upstream_timeout' }]);
  });

  it('withholds the parts a role is not granted, without reading them, and says so', async () => {
    // Arrange: sales may not read tickets, support may not read a customer's orders
    const ticketsBefore = await sandboxRequestCount(local.sandboxes.ticketing);
    // Act
    const sales = await local.call('POST', '/tools/get_customer_context', {
      as: { sub: 'sam', roles: ['sales'] },
      body: { customerId: 'C-00021' },
    });
    const ticketsAfterSales = await sandboxRequestCount(local.sandboxes.ticketing);
    const support = await local.call('POST', '/tools/get_customer_context', {
      as: { sub: 'sue', roles: ['support'] },
      body: { customerId: 'C-00021' },
    });
    // Assert
    expect(sales.status).toBe(200);
    expect(sales.body.data.customer.id).toBe('C-00021');
    expect(sales.body.data.recentOrders.length).toBeGreaterThan(0);
    expect(sales.body.data.openTickets).toBeNull();
    expect(sales.body.meta.withheld).toEqual([{ part: 'openTickets', reason: 'forbidden' }]);
    expect(sales.body.meta.degraded).toEqual([]);
    expect(sales.body.data.note).toBe(
      'Open support tickets are withheld: your role does not grant them (get_customer_tickets).',
    );
    expect(ticketsAfterSales).toBe(ticketsBefore);
    expect(support.body.data.recentOrders).toBeNull();
    expect(support.body.data.openTickets).not.toBeNull();
    // The field rules of support (README: Field-level security) add theirs after the parts.
    expect(support.body.meta.withheld).toEqual([
      { part: 'recentOrders', reason: 'forbidden' },
      { path: 'customer.annualRevenue', field: 'customer.annualRevenue', reason: 'withheld' },
    ]);
  });

  it('withholds the same parts over MCP, where the note tells the agent', async () => {
    const mcp = await connectMcp(local, { sub: 'sam', roles: ['sales'] });
    const result = await mcp.callTool({
      name: 'get_customer_context',
      arguments: { customerId: 'C-00021' },
    });
    await mcp.close();
    const data = result.structuredContent as { openTickets: unknown; note: string };
    expect(data.openTickets).toBeNull();
    expect(data.note).toContain('withheld');
  });

  it('answers 404 for an unknown customer rather than degrading', async () => {
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-99999' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('customer_not_found');
  });

  describe('conversation-start prefetch (X-Conversation-Id)', () => {
    const inConversation = (id: string) => ({ 'x-conversation-id': id });
    const allCalls = async () => {
      let total = 0;
      for (const url of [local.sandboxes.crm, local.sandboxes.erp, local.sandboxes.ticketing]) {
        const seen = (await (await fetch(`${url}/_sandbox/requests`)).json()) as {
          counts: Record<string, number>;
        };
        total += Object.values(seen.counts).reduce((sum, count) => sum + count, 0);
      }
      return total;
    };
    /** The customer context in a conversation, once the prefetch queue's worker handled every prefetch. */
    const contextOnceSettled = async (as: typeof ana, conversationId: string) => {
      await eventually('the prefetch queue to drain', async () =>
        (await isDrained(local, local.queues.prefetch)) ? true : undefined,
      );
      const before = await allCalls();
      const res = await local.call('POST', '/tools/get_customer_context', {
        as,
        body: { customerId: 'C-00022' },
        headers: inConversation(conversationId),
      });
      return { res, systemCalls: (await allCalls()) - before };
    };

    it('answers get_customer_context from the prefetch the first call started, without calling the systems', async () => {
      // Arrange: the conversation begins with the customer's profile
      const first = await local.call('POST', '/tools/get_customer', {
        as: ana,
        body: { customerId: 'C-00022' },
        headers: inConversation('conv-prefetch-1'),
      });
      expect(first.status).toBe(200);
      // Act
      const { res, systemCalls } = await contextOnceSettled(ana, 'conv-prefetch-1');
      // Assert
      expect(res.status).toBe(200);
      expect(res.body.meta.prefetched).toBe(true);
      expect(res.body.meta.cache).toBe('hit');
      expect(res.body.data.customer.id).toBe('C-00022');
      expect(res.body.data.recentOrders.length).toBeGreaterThan(0);
      expect(systemCalls).toBe(0);
    });

    it("keeps each caller's prefetch to themselves and runs live without a conversation", async () => {
      await local.call('POST', '/tools/get_customer', {
        as: ana,
        body: { customerId: 'C-00022' },
        headers: inConversation('conv-prefetch-2'),
      });
      const otherUser = await contextOnceSettled(
        { sub: 'bea', roles: ['support'] },
        'conv-prefetch-2',
      );
      const noConversation = await local.call('POST', '/tools/get_customer_context', {
        as: ana,
        body: { customerId: 'C-00022' },
      });
      expect(otherUser.res.status).toBe(200);
      expect(otherUser.res.body.meta.prefetched).toBeUndefined();
      expect(otherUser.systemCalls).toBeGreaterThan(0);
      expect(noConversation.body.meta.prefetched).toBeUndefined();
    });

    it('does not keep a degraded prefetch: the agent gets the live answer', async () => {
      await local.faults('erp', { down: true });
      await local.call('POST', '/tools/get_customer', {
        as: ana,
        body: { customerId: 'C-00022' },
        headers: inConversation('conv-prefetch-3'),
      });
      const degraded = await contextOnceSettled(ana, 'conv-prefetch-3');
      await local.faults('erp', null);
      expect(degraded.res.body.meta.prefetched).toBeUndefined();
      expect(degraded.res.body.meta.degraded).toEqual([
        { system: 'erp', reason: 'upstream_unavailable' },
      ]);
    });
  });
});
