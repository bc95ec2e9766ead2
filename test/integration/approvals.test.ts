import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords } from '#test/helpers/audit.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp, connectModernMcp } from '#test/helpers/mcp-client.ts';
import { chatMessages } from '#test/helpers/notifications.ts';
import { waitForOperation } from '#test/helpers/operations.ts';
import { eventually } from '#test/helpers/webhooks.ts';

const ana = { sub: 'ana', roles: ['support'] };
const sam = { sub: 'sam', roles: ['sales'] };
const bea = { sub: 'bea', roles: ['approver'] };
const order = { customerId: 'C-00021', lines: [{ sku: 'SKU-10002', quantity: 2 }] };

describe('approvals only a person gives', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  /** Proposes update_customer_contact (confirmed by its proposer, in person) as ana. */
  async function proposeContactChange(jobTitle: string) {
    const customer = await local.call('POST', '/tools/get_customer', {
      as: ana,
      body: { customerId: 'C-00021' },
    });
    const contactId = customer.body.data.customer.contacts[0].id;
    const proposal = await local.call('POST', '/tools/update_customer_contact', {
      as: ana,
      body: { customerId: 'C-00021', contactId, changes: { jobTitle } },
      headers: { 'x-agent-reason': 'the customer asked', 'x-conversation-id': 'conv-77' },
    });
    expect(proposal.status).toBe(202);
    return proposal.body.confirmation;
  }

  it("refuses an agent's token for a write a person must approve, and names the console page", async () => {
    const confirmation = await proposeContactChange('Buyer');
    expect(confirmation).toMatchObject({ confirmBy: 'self', confirmAt: 'person' });
    expect(confirmation.approveUrl).toBe(`${local.url}/console/approvals/${confirmation.id}`);

    const byAgent = await local.call('POST', `/confirmations/${confirmation.id}`, { as: ana });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error).toMatchObject({
      code: 'person_confirmation_required',
      category: 'authorization',
      approveUrl: confirmation.approveUrl,
    });
    expect(byAgent.body.error.message).toContain(confirmation.approveUrl);

    // Nothing happened: the same person, in their own session, still confirms it.
    const byPerson = await local.call('POST', `/confirmations/${confirmation.id}`, {
      as: ana,
      person: true,
    });
    expect(byPerson.status).toBe(202);
    const done = await waitForOperation(local, byPerson.body.operation.id, ana);
    expect(done.status).toBe('succeeded');
  });

  it('lets the agent confirm a write the tool allows in the conversation (create_ticket)', async () => {
    const proposal = await local.call('POST', '/tools/create_ticket', {
      as: ana,
      body: {
        customerId: 'C-00021',
        subject: 'Approvals: a ticket the agent confirms',
        description: 'The agent relays the user’s yes.',
        priority: 'high',
      },
    });
    expect(proposal.status).toBe(202);
    expect(proposal.body.confirmation.confirmAt).toBe('conversation');
    const confirmed = await local.call('POST', `/confirmations/${proposal.body.confirmation.id}`, {
      as: ana,
    });
    expect(confirmed.status).toBe(202);
  });

  it("lists what waits for each person's decision, and shows a confirmation only to who may see it", async () => {
    const proposal = await local.call('POST', '/tools/create_order', { as: sam, body: order });
    expect(proposal.status).toBe(202);
    const id = proposal.body.confirmation.id;
    const own = await proposeContactChange('Planner');

    const forBea = await local.call('GET', '/confirmations?status=pending', { as: bea });
    expect(forBea.status).toBe(200);
    const beaIds = forBea.body.confirmations.map((item: { id: string }) => item.id);
    expect(beaIds).toContain(id);
    expect(beaIds).not.toContain(own.id);
    const forAna = await local.call('GET', '/confirmations', { as: ana });
    const anaIds = forAna.body.confirmations.map((item: { id: string }) => item.id);
    expect(anaIds).toContain(own.id);
    expect(anaIds).not.toContain(id);
    // The proposer of a four-eyes write does not decide it: it is not in their inbox.
    const forSam = await local.call('GET', '/confirmations', { as: sam });
    expect(forSam.body.confirmations.map((item: { id: string }) => item.id)).not.toContain(id);

    const detail = await local.call('GET', `/confirmations/${own.id}`, { as: ana });
    expect(detail.body.confirmation).toMatchObject({
      id: own.id,
      tool: 'update_customer_contact',
      status: 'pending',
      proposedBy: 'ana',
      reason: 'the customer asked',
      conversationId: 'conv-77',
      approveUrl: own.approveUrl,
    });
    const stranger = await local.call('GET', `/confirmations/${own.id}`, {
      as: { sub: 'mallory', roles: ['support'] },
    });
    expect(stranger.status).toBe(404);
    const badStatus = await local.call('GET', '/confirmations?status=done', { as: bea });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.issues).toEqual([{ path: 'status', message: 'must be "pending"' }]);
  });

  it('tells the approvers on Slack and Teams that an order waits, with the console link', async () => {
    const proposal = await local.call('POST', '/tools/create_order', { as: sam, body: order });
    const { id, approveUrl } = proposal.body.confirmation;
    const messages = await eventually('the notification of the order in both chats', async () => {
      const about = (await chatMessages(local.chat)).filter((message) =>
        JSON.stringify(message.body).includes(approveUrl),
      );
      return about.length >= 2 ? about : undefined;
    });
    expect(messages.map((message) => message.channel).sort()).toEqual(['slack', 'teams']);
    expect(JSON.stringify(messages)).toContain('create_order');
    await local.call('DELETE', `/confirmations/${id}`, { as: sam });
  });

  it('rejects with a reason, kept in the audit trail; a rejected write cannot be approved', async () => {
    const proposal = await local.call('POST', '/tools/create_order', { as: sam, body: order });
    const id = proposal.body.confirmation.id;
    const rejected = await local.call('DELETE', `/confirmations/${id}`, {
      as: bea,
      person: true,
      body: { reason: 'Price not agreed with the customer' },
    });
    expect(rejected.status).toBe(204);
    const detail = await local.call('GET', `/confirmations/${id}`, { as: bea });
    expect(detail.body.confirmation).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'bea',
      cancelReason: 'Price not agreed with the customer',
    });
    const again = await local.call('POST', `/confirmations/${id}`, { as: bea, person: true });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('confirmation_cancelled');
    const records = await auditRecords(local);
    const decision = records.find(
      (record) =>
        record.sub === 'bea' &&
        typeof record.input === 'string' &&
        record.input.includes(id) &&
        record.input.includes('Price not agreed'),
    );
    expect(decision).toMatchObject({ clientId: 'toolgate-console', outcome: 'success' });
    const empty = await local.call('DELETE', `/confirmations/${id}`, {
      as: bea,
      body: { reason: '' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.issues[0].path).toBe('reason');
  });

  it('over MCP, tells the agent where the user approves, and confirm_operation answers with the link', async () => {
    const mcp = await connectMcp(local, sam);
    try {
      const proposal = await mcp.callTool({ name: 'create_order', arguments: order });
      const confirmation = (
        proposal.structuredContent as { confirmation: { id: string; approveUrl: string } }
      ).confirmation;
      const relay = (proposal.content as { type: string; text: string }[]).find((block) =>
        block.text.startsWith('Nothing has been written yet.'),
      );
      expect(relay?.text).toContain(`Ask the user to open ${confirmation.approveUrl}`);

      const beaMcp = await connectMcp(local, bea);
      try {
        const attempt = await beaMcp.callTool({
          name: 'confirm_operation',
          arguments: { confirmationId: confirmation.id },
        });
        expect(attempt.isError).toBe(true);
        expect(JSON.stringify(attempt.content)).toContain(confirmation.approveUrl);
        expect(JSON.stringify(attempt.structuredContent ?? attempt.content)).toContain(
          'person_confirmation_required',
        );
      } finally {
        await beaMcp.close();
      }
    } finally {
      await mcp.close();
    }
  });

  const approveInPerson = async (id: string) => {
    const approved = await local.call('POST', `/confirmations/${id}`, { as: ana, person: true });
    expect(approved.status).toBe(202);
    return approved.body.operation.id as string;
  };

  it('sends a 2025-11-25 client that declared URL elicitation to the console with error -32042', async () => {
    const confirmation = await proposeContactChange('Head of purchasing');
    const agent = await connectMcp(local, ana, { capabilities: { elicitation: { url: {} } } });
    try {
      const refused = await agent
        .callTool({ name: 'confirm_operation', arguments: { confirmationId: confirmation.id } })
        .then(
          () => undefined,
          (error: { code?: number; data?: unknown }) => error,
        );
      expect(refused?.code).toBe(-32042);
      expect(refused?.data).toEqual({
        elicitations: [
          {
            mode: 'url',
            url: confirmation.approveUrl,
            elicitationId: `approve-${confirmation.id}`,
            message: `Review and approve in the Toolgate console: ${confirmation.summary}`,
          },
        ],
      });

      // The person approves in their own session; the agent's retry then answers the operation.
      const operationId = await approveInPerson(confirmation.id);
      const retried = await agent.callTool({
        name: 'confirm_operation',
        arguments: { confirmationId: confirmation.id },
      });
      expect(retried.isError).toBeFalsy();
      expect(retried.structuredContent).toMatchObject({ operation: { id: operationId } });
    } finally {
      await agent.close();
    }
    const refusals = (await auditRecords(local)).filter(
      (record) =>
        record.sub === 'ana' &&
        record.tool === 'confirm_operation' &&
        record.errorCode === 'person_confirmation_required' &&
        JSON.stringify(record.input).includes(confirmation.id),
    );
    expect(refusals).toHaveLength(1);
  });

  it('asks a 2026-07-28 client that declared URL elicitation to open the page, then answers the operation', async () => {
    const confirmation = await proposeContactChange('Purchasing director');
    const agent = await connectModernMcp(local, ana, undefined, {
      capabilities: { elicitation: { url: {} } },
    });
    const asked: { mode?: string; url?: string; message?: string }[] = [];
    agent.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params as { mode?: string; url?: string; message?: string });
      // The user opens the page and a person approves there, before the client retries.
      await approveInPerson(confirmation.id);
      return { action: 'accept' };
    });
    try {
      const confirmed = await agent.callTool({
        name: 'confirm_operation',
        arguments: { confirmationId: confirmation.id },
      });
      expect(asked).toEqual([
        expect.objectContaining({ mode: 'url', url: confirmation.approveUrl }),
      ]);
      expect(confirmed.isError).toBeFalsy();
      const operation = (confirmed.structuredContent as { operation: { id: string } }).operation;
      expect((await waitForOperation(local, operation.id, ana)).status).toBe('succeeded');
    } finally {
      await agent.close();
    }
  });

  it('answers the link as a tool error when the person has not approved by the retry, or the client cannot open links', async () => {
    const confirmation = await proposeContactChange('Chief buyer');
    const declaring = await connectModernMcp(local, ana, undefined, {
      capabilities: { elicitation: { url: {} } },
    });
    let rounds = 0;
    declaring.setRequestHandler('elicitation/create', async () => {
      rounds += 1;
      return { action: 'accept' };
    });
    const plain = await connectModernMcp(local, ana);
    try {
      for (const client of [declaring, plain]) {
        const attempt = await client.callTool({
          name: 'confirm_operation',
          arguments: { confirmationId: confirmation.id },
        });
        expect(attempt.isError).toBe(true);
        expect(JSON.stringify(attempt.structuredContent)).toContain('person_confirmation_required');
        expect(JSON.stringify(attempt.content)).toContain(confirmation.approveUrl);
      }
      // One elicitation, then the error: the client is never sent round in circles.
      expect(rounds).toBe(1);
    } finally {
      await declaring.close();
      await plain.close();
    }
    const pending = await local.call('GET', `/confirmations/${confirmation.id}`, { as: ana });
    expect(pending.body.confirmation.status).toBe('pending');
  });
});
