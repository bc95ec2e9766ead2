import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords } from '#test/helpers/audit.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

const sam = { sub: 'rules-sam', roles: ['sales'] };
const sue = { sub: 'rules-sue', roles: ['support'] };
const ada = { sub: 'rules-ada', roles: ['admin'] };
const bea = { sub: 'rules-bea', roles: ['approver'] };

describe('argument rules in local mode (infra/policy/*.cedar)', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  }, 60_000);
  afterAll(() => local.stop());

  const propose = (lines: { sku: string; quantity: number }[]) =>
    local.call('POST', '/tools/create_order', { as: sam, body: { customerId: 'C-00021', lines } });

  it('lets the proposer confirm a small order and not a large one, which an approver confirms', async () => {
    // Act: about 460 EUR, then about 1,450 EUR (C-00021 buys in EUR)
    const small = await propose([{ sku: 'SKU-10005', quantity: 1 }]);
    const large = await propose([{ sku: 'SKU-10003', quantity: 1 }]);

    // Assert: the threshold decides who confirms
    expect(small.status).toBe(202);
    expect(small.body.confirmation.preview.changes[0].after.total).toBeLessThanOrEqual(1000);
    expect(small.body.confirmation.confirmBy).toBe('self');
    expect(large.status).toBe(202);
    expect(large.body.confirmation.preview.changes[0].after.total).toBeGreaterThan(1000);
    expect(large.body.confirmation.confirmBy).toBe('approver');
    const ownSmall = await local.call('POST', `/confirmations/${small.body.confirmation.id}`, {
      as: sam,
      person: true,
    });
    expect(ownSmall.status).toBe(202);
    const ownLarge = await local.call('POST', `/confirmations/${large.body.confirmation.id}`, {
      as: sam,
      person: true,
    });
    expect(ownLarge.status).toBe(403);
    expect(ownLarge.body.error.message).toContain('approver');
    const approved = await local.call('POST', `/confirmations/${large.body.confirmation.id}`, {
      as: bea,
      person: true,
    });
    expect(approved.status).toBe(202);
    // The approver's inbox showed it as theirs to decide, the small one not at all
    const detail = await local.call('GET', `/confirmations/${large.body.confirmation.id}`, {
      as: bea,
    });
    expect(detail.body.confirmation.confirmBy).toBe('approver');
  }, 60_000);

  it('refuses get_customer_orders over 50 to sales naming the rule, and serves admin', async () => {
    // Act
    const refused = await local.call('POST', '/tools/get_customer_orders', {
      as: sam,
      body: { customerId: 'C-00021', limit: 60 },
    });
    const within = await local.call('POST', '/tools/get_customer_orders', {
      as: sam,
      body: { customerId: 'C-00021', limit: 50 },
    });
    const asAdmin = await local.call('POST', '/tools/get_customer_orders', {
      as: ada,
      body: { customerId: 'C-00021', limit: 60 },
    });
    // support is not granted the tool at all: the grant refuses before any rule
    const notGranted = await local.call('POST', '/tools/get_customer_orders', {
      as: sue,
      body: { customerId: 'C-00021', limit: 60 },
    });

    // Assert
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('argument_not_allowed');
    expect(refused.body.error.message).toContain('"orders-limit-up-to-50"');
    expect(refused.body.error.message).toContain('limit up to 50');
    expect(within.status).toBe(200);
    expect(asAdmin.status).toBe(200);
    expect(notGranted.status).toBe(403);
    expect(notGranted.body.error.code).toBe('forbidden');
    // and the audit record of the denial names the rule
    const records = await auditRecords(local);
    const denial = records.find(
      (record) => record.sub === sam.sub && record.errorCode === 'argument_not_allowed',
    );
    expect(denial?.tool).toBe('get_customer_orders');
    expect(denial?.errorMessage).toContain('orders-limit-up-to-50');
  }, 60_000);

  it("refuses send_email to a non-contact for support, allows the customer's contact, and sales anyone", async () => {
    // Arrange: a contact of the customer, from the CRM
    const customer = await local.call('POST', '/tools/get_customer', {
      as: sam,
      body: { customerId: 'C-00021' },
    });
    const contact: string = customer.body.data.customer.contacts.find(
      (candidate: { email: string | null }) => candidate.email,
    ).email;
    const email = (to: string) => ({
      to: [to],
      subject: 'Your order',
      body: 'It ships tomorrow.',
      customerId: 'C-00021',
    });

    // Act
    const stranger = await local.call('POST', '/tools/send_email', {
      as: sue,
      body: email('someone@elsewhere.example'),
    });
    const toContact = await local.call('POST', '/tools/send_email', {
      as: sue,
      body: email(contact.toUpperCase()),
    });
    const bySales = await local.call('POST', '/tools/send_email', {
      as: sam,
      body: email('someone@elsewhere.example'),
    });

    // Assert
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.code).toBe('argument_not_allowed');
    expect(stranger.body.error.message).toContain('"email-to-customer-contacts"');
    expect(toContact.status).toBe(202);
    expect(bySales.status).toBe(202);
  }, 60_000);

  it('answers an MCP caller with the same refusal as a tool error', async () => {
    // Arrange
    const mcp = await connectMcp(local, sam);

    // Act
    const result = (await mcp.callTool({
      name: 'get_customer_orders',
      arguments: { customerId: 'C-00021', limit: 60 },
    })) as { isError?: boolean; structuredContent?: { error: { code: string; message: string } } };
    await mcp.close();

    // Assert
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error.code).toBe('argument_not_allowed');
    expect(result.structuredContent?.error.message).toContain('"orders-limit-up-to-50"');
  }, 60_000);
});
