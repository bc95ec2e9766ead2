import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '#local/api-gateway.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { proposeAndConfirm, sandboxCalls, waitForOperation } from '#test/helpers/operations.ts';
import { isDrained } from '#test/helpers/queues.ts';

const ana = { sub: 'ana', roles: ['support'] };
const sam = { sub: 'sam', roles: ['sales'] };
const otherSales = { sub: 'sue', roles: ['sales'] };
const boss = { sub: 'bea', roles: ['approver'] };

const ticket = (subject: string) => ({
  customerId: 'C-00021',
  subject,
  description: 'The pallet jack arrived with a bent handle and cannot be used.',
  priority: 'high',
});

async function ticketCount(local: LocalHarness, customerId: string): Promise<number> {
  const res = await local.call('POST', '/tools/get_customer_tickets', {
    as: ana,
    body: {
      customerId,
      statuses: ['new', 'open', 'pending', 'hold', 'solved', 'closed'],
      limit: 100,
    },
  });
  return res.body.data.tickets.length;
}

async function available(local: LocalHarness, sku: string): Promise<number> {
  const res = await local.call('POST', '/tools/check_inventory', {
    as: sam,
    body: { skus: [sku] },
  });
  return res.body.data.items[0].available;
}

describe('write path in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({}, { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 });
  });
  afterEach(async () => {
    for (const system of ['crm', 'erp', 'ticketing', 'mail'] as const)
      await local.faults(system, null);
  });
  afterAll(() => local.stop());

  describe('proposal', () => {
    it('answers 202 with a confirmation and writes nothing upstream', async () => {
      const before = await sandboxCalls(local.sandboxes.ticketing, 'tickets.create');
      const res = await local.call('POST', '/tools/create_ticket', {
        as: ana,
        body: ticket('Bent handle'),
      });
      expect(res.status).toBe(202);
      expect(res.body.confirmation).toMatchObject({
        id: expect.stringMatching(/^cf_/),
        tool: 'create_ticket',
        summary: expect.stringContaining('Northwind Traders'),
        preview: {
          changes: [
            {
              field: 'ticket',
              before: null,
              after: expect.objectContaining({ subject: 'Bent handle' }),
            },
          ],
        },
      });
      const expiresIn = Date.parse(res.body.confirmation.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(9 * 60_000);
      expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);
      expect(await sandboxCalls(local.sandboxes.ticketing, 'tickets.create')).toEqual(before);
    });

    it('returns the same confirmation for a repeated Idempotency-Key, and 409 for the same key with other input', async () => {
      const headers = { 'idempotency-key': 'agent-turn-42' };
      const first = await local.call('POST', '/tools/create_ticket', {
        as: ana,
        body: ticket('Key reuse'),
        headers,
      });
      const again = await local.call('POST', '/tools/create_ticket', {
        as: ana,
        body: ticket('Key reuse'),
        headers,
      });
      const other = await local.call('POST', '/tools/create_ticket', {
        as: ana,
        body: ticket('Something else'),
        headers,
      });
      expect(again.body.confirmation.id).toBe(first.body.confirmation.id);
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('idempotency_key_reused');
    });

    it('refuses a write the business rules forbid, before any confirmation', async () => {
      const res = await local.call('POST', '/tools/create_order', {
        as: sam,
        body: { customerId: 'C-00021', lines: [{ sku: 'SKU-10001', quantity: 10_000 }] },
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('insufficient_stock');
      expect(res.body.error.message).toContain('SKU-10001');
    });
  });

  describe('confirmation', () => {
    it('runs the write once and returns the same operation when confirmed again', async () => {
      const before = await ticketCount(local, 'C-00021');
      const { confirmationId, operationId } = await proposeAndConfirm(
        local,
        'create_ticket',
        ticket('Confirmed once'),
        ana,
      );
      const done = await waitForOperation(local, operationId, ana);
      const again = await local.call('POST', `/confirmations/${confirmationId}`, {
        person: true,
        as: ana,
      });
      await local.stepFunctions.idle();
      expect(done).toMatchObject({
        status: 'succeeded',
        steps: [{ name: 'create_ticket', status: 'succeeded', attempts: 1 }],
      });
      expect(done.result.ticketId).toMatch(/^\d+$/);
      expect(again.status).toBe(202);
      expect(again.body.operation).toEqual({ id: operationId, status: 'succeeded' });
      expect(await ticketCount(local, 'C-00021')).toBe(before + 1);
    });

    it('lets only the proposer confirm a self-confirmed write', async () => {
      const proposal = await local.call('POST', '/tools/create_ticket', {
        as: ana,
        body: ticket('Not yours'),
      });
      const res = await local.call('POST', `/confirmations/${proposal.body.confirmation.id}`, {
        person: true,
        as: { sub: 'mallory', roles: ['support'] },
      });
      expect(res.status).toBe(403);
    });

    it('cancels a pending confirmation, after which confirming answers 409', async () => {
      const proposal = await local.call('POST', '/tools/create_ticket', {
        as: ana,
        body: ticket('Cancel me'),
      });
      const id = proposal.body.confirmation.id;
      const cancelled = await local.call('DELETE', `/confirmations/${id}`, { as: ana });
      const confirmed = await local.call('POST', `/confirmations/${id}`, { person: true, as: ana });
      expect(cancelled.status).toBe(204);
      expect(confirmed.status).toBe(409);
      expect(confirmed.body.error.code).toBe('confirmation_cancelled');
    });

    it('answers 404 for an unknown confirmation', async () => {
      const res = await local.call('POST', '/confirmations/cf_nope', { person: true, as: ana });
      expect(res.status).toBe(404);
    });
  });

  describe('create_order (four eyes, three-step saga)', () => {
    const order = {
      customerId: 'C-00021',
      lines: [{ sku: 'SKU-10002', quantity: 2 }],
      reference: 'PO-7781',
    };

    it('needs a confirmation by an approver other than the proposer', async () => {
      const proposal = await local.call('POST', '/tools/create_order', { as: sam, body: order });
      const byProposer = await local.call(
        'POST',
        `/confirmations/${proposal.body.confirmation.id}`,
        { person: true, as: sam },
      );
      const byOtherSales = await local.call(
        'POST',
        `/confirmations/${proposal.body.confirmation.id}`,
        { person: true, as: otherSales },
      );
      expect(proposal.body.confirmation.confirmBy).toBe('approver');
      expect(byProposer.status).toBe(403);
      expect(byOtherSales.status).toBe(403);
      await local.call('DELETE', `/confirmations/${proposal.body.confirmation.id}`, { as: boss });
    });

    it('reserves stock, creates the order and logs it in the CRM, once', async () => {
      const stockBefore = await available(local, 'SKU-10002');
      const { operationId } = await proposeAndConfirm(local, 'create_order', order, sam, boss);
      const done = await waitForOperation(local, operationId, sam);
      expect(done.status).toBe('succeeded');
      expect(
        done.steps.map((step: { name: string; status: string }) => `${step.name}:${step.status}`),
      ).toEqual(['reserve_stock:succeeded', 'create_order:succeeded', 'log_activity:succeeded']);
      const created = await local.call('POST', '/tools/get_order_status', {
        as: sam,
        body: { orderId: done.result.orderId },
      });
      expect(created.body.data.order).toMatchObject({ status: 'pending', customerId: 'C-00021' });
      expect(await available(local, 'SKU-10002')).toBe(stockBefore - 2);
      const asOwner = await local.call('GET', `/operations/${operationId}`, { as: sam });
      const asStranger = await local.call('GET', `/operations/${operationId}`, { as: otherSales });
      expect(asOwner.status).toBe(200);
      expect(asStranger.status).toBe(403);
    });

    it('rolls back the reservation and the order when the CRM step is refused', async () => {
      const stockBefore = await available(local, 'SKU-10003');
      await local.faults('crm', { errorRate: 1, status: 400, operation: 'notes.create' });
      const { operationId } = await proposeAndConfirm(
        local,
        'create_order',
        { ...order, lines: [{ sku: 'SKU-10003', quantity: 1 }] },
        sam,
        boss,
      );
      const done = await waitForOperation(local, operationId, sam);
      expect(done.status).toBe('rolled_back');
      expect(done.steps).toEqual([
        { name: 'reserve_stock', status: 'compensated', attempts: 1, compensationAttempts: 1 },
        { name: 'create_order', status: 'compensated', attempts: 1, compensationAttempts: 1 },
        { name: 'log_activity', status: 'failed', attempts: 1 },
      ]);
      expect(done.error.code).toBe('upstream_rejected');
      expect(await available(local, 'SKU-10003')).toBe(stockBefore);
      const cancelled = (await sandboxCalls(local.sandboxes.erp, 'orders.cancel')).filter(
        (call) => call.status === 200,
      );
      expect(cancelled.length).toBeGreaterThanOrEqual(1);
    });

    it('retries a transient failure three times (1 s, 2 s, 4 s: four attempts) before rolling back', async () => {
      await local.faults('erp', { errorRate: 1, status: 503, operation: 'orders.create' });
      const { operationId } = await proposeAndConfirm(
        local,
        'create_order',
        // about 1,100 EUR: over the four-eyes threshold (infra/policy/orders.cedar)
        { ...order, lines: [{ sku: 'SKU-10004', quantity: 2 }] },
        sam,
        boss,
      );
      const done = await waitForOperation(local, operationId, sam);
      expect(done.status).toBe('rolled_back');
      expect(done.steps[1]).toMatchObject({ name: 'create_order', attempts: 4 });
      expect(done.steps[0]).toMatchObject({ name: 'reserve_stock', status: 'compensated' });
    });
  });

  describe('exactly once', () => {
    it('has one effect when the queue redelivers the message and a saga step runs again', async () => {
      const { operationId } = await proposeAndConfirm(
        local,
        'create_ticket',
        ticket('Redelivered'),
        ana,
      );
      const done = await waitForOperation(local, operationId, ana);
      const creates = (await sandboxCalls(local.sandboxes.ticketing, 'tickets.create')).length;
      const executions = local.stepFunctions.executions.size;
      // Act: the write queue delivers the same message again, and the step runs again
      const sqs = new SQSClient({
        endpoint: local.emulators.sqs,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
        useQueueUrlAsEndpoint: false,
      });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: local.queues.write,
          MessageBody: JSON.stringify({ operationId, tool: 'create_ticket' }),
        }),
      );
      const { handler: step } = await import('#functions/writes/step/handler.ts');
      await step(
        { operationId, action: 'run', step: 'create_ticket' } as never,
        lambdaContext('saga-step'),
      );
      // The worker has taken the redelivered message and deleted it (a failure would leave it queued)
      await waitFor(() => isDrained(local, local.queues.write));
      await local.stepFunctions.idle();
      sqs.destroy();
      // Assert
      expect(done.status).toBe('succeeded');
      expect(local.stepFunctions.executions.size).toBe(executions);
      expect((await sandboxCalls(local.sandboxes.ticketing, 'tickets.create')).length).toBe(
        creates,
      );
      const after = await local.call('GET', `/operations/${operationId}`, { as: ana });
      expect(after.body.operation.steps[0].attempts).toBe(1);
    });

    it('records the operation failed, and fails the execution, when a compensation keeps failing', async () => {
      await local.faults('crm', { errorRate: 1, status: 400, operation: 'notes.create' });
      await local.faults('erp', { errorRate: 1, status: 500, operation: 'orders.cancel' });
      const { operationId } = await proposeAndConfirm(
        local,
        'create_order',
        // about 1,400 EUR: over the four-eyes threshold (infra/policy/orders.cedar)
        { customerId: 'C-00022', lines: [{ sku: 'SKU-10005', quantity: 3 }] },
        sam,
        boss,
      );
      const done = await waitForOperation(local, operationId, sam);
      expect(done.status).toBe('failed');
      expect(done.steps[1]).toMatchObject({
        name: 'create_order',
        status: 'compensation_failed',
        attempts: 1,
        compensationAttempts: 7,
      });
      const executionOf = () =>
        [...local.stepFunctions.executions.values()].find(
          (candidate) => candidate.name === operationId,
        );
      // The operation is marked failed by the saga's last task; its Fail state follows that.
      await waitFor(async () => executionOf()?.status !== 'RUNNING');
      const execution = executionOf();
      expect(execution?.status).toBe('FAILED');
      expect(execution?.error).toBe('Toolgate.CompensationFailed');
    });
  });

  describe('update_customer_contact', () => {
    it('previews the before/after diff and applies exactly the allowed fields', async () => {
      const customer = await local.call('POST', '/tools/get_customer', {
        as: ana,
        body: { customerId: 'C-00021' },
      });
      const contact = customer.body.data.customer.contacts[0];
      const body = {
        customerId: 'C-00021',
        contactId: contact.id,
        changes: { jobTitle: 'Head of Purchasing' },
      };
      const proposal = await local.call('POST', '/tools/update_customer_contact', {
        as: ana,
        body,
      });
      expect(proposal.body.confirmation.preview.changes).toEqual([
        { field: 'jobTitle', before: contact.jobTitle, after: 'Head of Purchasing' },
      ]);
      const confirmed = await local.call(
        'POST',
        `/confirmations/${proposal.body.confirmation.id}`,
        { person: true, as: ana },
      );
      const done = await waitForOperation(local, confirmed.body.operation.id, ana);
      expect(done.status).toBe('succeeded');
      const after = await local.call('POST', '/tools/get_customer', {
        as: ana,
        body: { customerId: 'C-00021' },
      });
      const updated = after.body.data.customer.contacts.find(
        (candidate: { id: string }) => candidate.id === contact.id,
      );
      expect(updated.jobTitle).toBe('Head of Purchasing');
    });

    it('refuses fields outside the allow-list with 400', async () => {
      const res = await local.call('POST', '/tools/update_customer_contact', {
        as: ana,
        body: { customerId: 'C-00021', contactId: '1', changes: { lifecyclestage: 'lead' } },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.issues[0].path).toBe('changes.lifecyclestage');
    });
  });

  // As sales: support may write only to a customer's own CRM contacts (infra/policy/email.cedar).
  describe('send_email', () => {
    const email = {
      to: ['buyer@northwindtraders.example'],
      subject: 'Your replacement',
      body: 'A new pallet jack ships today.',
    };

    it('sends the email once', async () => {
      const { operationId } = await proposeAndConfirm(local, 'send_email', email, sam);
      const done = await waitForOperation(local, operationId, sam);
      expect(done.status).toBe('succeeded');
      const outbox = (await (await fetch(`${local.sandboxes.mail}/_sandbox/outbox`)).json()) as {
        messages: { subject: string }[];
      };
      expect(
        outbox.messages.filter((message) => message.subject === 'Your replacement'),
      ).toHaveLength(1);
    });

    it('keeps the email queued while the mail system is down and sends it when it recovers', async () => {
      await local.faults('mail', { down: true });
      const { operationId } = await proposeAndConfirm(
        local,
        'send_email',
        { ...email, subject: 'Sent after the outage' },
        sam,
      );
      // The worker found the mail system down, waited its first pause, and tried again
      await waitFor(async () => (await readinessTries(local, operationId)) >= 2);
      const waiting = await local.call('GET', `/operations/${operationId}`, { as: sam });
      expect(waiting.body.operation.status).toBe('queued');
      await local.faults('mail', null);
      const done = await waitForOperation(local, operationId, sam, { timeoutMs: 20_000 });
      expect(done.status).toBe('succeeded');
      const outbox = (await (await fetch(`${local.sandboxes.mail}/_sandbox/outbox`)).json()) as {
        messages: { subject: string }[];
      };
      expect(
        outbox.messages.filter((message) => message.subject === 'Sent after the outage'),
      ).toHaveLength(1);
    });
  });
});

/** Receives of a write's message whose readiness check reached the mail sandbox (1 s apart). */
async function readinessTries(local: LocalHarness, operationId: string): Promise<number> {
  const { requests } = (await (
    await fetch(`${local.sandboxes.mail}/_sandbox/requests`)
  ).json()) as {
    requests: { at: string; requestId: string | null }[];
  };
  const times = requests
    .filter((call) => call.requestId === operationId)
    .map((call) => Date.parse(call.at));
  if (times.length === 0) return 0;
  // Retries inside one check are milliseconds apart; the next receive comes after the pause.
  return (
    1 + times.filter((time, index) => index > 0 && time - (times[index - 1] ?? 0) > 500).length
  );
}

/** Polls until `condition` holds. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
