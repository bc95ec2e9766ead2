import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installClock, type TestClock } from '#test/helpers/clock.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { eventLog, eventually } from '#test/helpers/webhooks.ts';

const ana = { sub: 'ana', roles: ['support'] };

describe('sandbox changes reach the gateway as signed webhooks', () => {
  let local: LocalHarness;
  let clock: TestClock;

  beforeAll(async () => {
    clock = installClock();
    local = await startLocalHarness();
  });
  afterAll(async () => {
    await local.stop();
    clock.restore();
  });

  it('invalidates the prefetched customer context when a contact changes directly on the CRM sandbox', async () => {
    // Arrange: a conversation about C-00023 prefetched its context
    const profile = await local.call('POST', '/tools/get_customer', {
      as: ana,
      body: { customerId: 'C-00023' },
      headers: { 'x-conversation-id': 'conv-webhook-1' },
    });
    const contactId = profile.body.data.customer.contacts[0].id as string;
    const prefetched = await eventually('the prefetch to land', async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await local.call('POST', '/tools/get_customer_context', {
        as: ana,
        body: { customerId: 'C-00023' },
        headers: { 'x-conversation-id': 'conv-webhook-1' },
      });
      return res.body.meta.prefetched ? res : undefined;
    });
    expect(prefetched.body.meta.prefetched).toBe(true);
    const before = (await eventLog(local)).size;
    // Act: someone edits the contact in the CRM itself, not through the gateway
    const secrets = JSON.parse(await readFile(local.secretsFile, 'utf8'));
    const edit = await fetch(`${local.sandboxes.crm}/crm/v3/objects/contacts/${contactId}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${secrets.systems.crm.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ properties: { jobtitle: 'Head of Purchasing' } }),
    });
    expect(edit.status).toBe(200);
    // Assert: HubSpot-signed delivery accepted, event processed, prefetch no longer served
    const log = await eventually('the CRM event to be processed', async () => {
      const entries = await eventLog(local);
      const crm = [...entries].filter(
        ([id, entry]) => id.startsWith('hubspot:') && entry.processedCount === 1,
      );
      return entries.size > before && crm.length > 0 ? crm : undefined;
    });
    expect(log.length).toBeGreaterThan(0);
    const sent = (await (await fetch(`${local.sandboxes.crm}/_sandbox/webhooks`)).json()) as {
      deliveries: { status: number }[];
    };
    expect(sent.deliveries.some((delivery) => delivery.status === 202)).toBe(true);
    clock.advance(5_100); // past the oldest cache generation an instance answers from
    const after = await local.call('POST', '/tools/get_customer_context', {
      as: ana,
      body: { customerId: 'C-00023' },
      headers: { 'x-conversation-id': 'conv-webhook-1' },
    });
    expect(after.status).toBe(200);
    expect(after.body.meta.prefetched).toBeUndefined();
    const contact = after.body.data.customer.contacts.find(
      (candidate: { id: string }) => candidate.id === contactId,
    );
    expect(contact.jobTitle).toBe('Head of Purchasing');
  });

  it('sends a Zendesk-signed webhook when a ticket is created through the gateway', async () => {
    // Arrange
    const before = [...(await eventLog(local)).keys()].filter((id) => id.startsWith('zendesk:'));
    // Act: a write through the gateway (proposal, then confirmation)
    const proposal = await local.call('POST', '/tools/create_ticket', {
      as: ana,
      body: { customerId: 'C-00023', subject: 'Webhook check', description: 'Testing webhooks.' },
    });
    const confirmed = await local.call('POST', `/confirmations/${proposal.body.confirmation.id}`, {
      person: true,
      as: ana,
    });
    expect(confirmed.status).toBe(202);
    // Assert
    const zendesk = await eventually(
      'a Zendesk event',
      async () => {
        const ids = [...(await eventLog(local)).keys()].filter((id) => id.startsWith('zendesk:'));
        return ids.length > before.length ? ids : undefined;
      },
      15_000,
    );
    expect(zendesk.length).toBeGreaterThan(before.length);
  });
});
