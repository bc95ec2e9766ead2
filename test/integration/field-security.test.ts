import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';

const vic = { sub: 'vic', roles: ['viewer'] };
const root = { sub: 'root', roles: ['admin'] };
const sam = { sub: 'sam', roles: ['support'] };

interface Contact {
  email: string | null;
  phone: string | null;
}
type Schema = {
  properties: Record<string, Schema>;
  items: Schema;
  anyOf: Schema[];
  description?: string;
};

const contactsOf = (data: { customer: { contacts: Contact[] } }) => data.customer.contacts;
const contactSchemaOf = (outputSchema: unknown) =>
  (outputSchema as Schema).properties.customer?.properties.contacts?.items as Schema;

describe('field-level security in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it("masks a viewer's contact emails and phones from get_customer over REST, not an admin's", async () => {
    // Act
    const viewer = await local.call('POST', '/tools/get_customer', {
      as: vic,
      body: { customerId: 'C-00021' },
    });
    const admin = await local.call('POST', '/tools/get_customer', {
      as: root,
      body: { customerId: 'C-00021' },
    });

    // Assert
    expect(viewer.status).toBe(200);
    const real = contactsOf(admin.body.data);
    expect(real.some((contact) => contact.email?.match(/^[^*]+@/))).toBe(true);
    const masked = contactsOf(viewer.body.data);
    expect(masked).toHaveLength(real.length);
    for (const [index, contact] of masked.entries()) {
      const domain = real[index]?.email?.split('@')[1];
      expect(contact.email).toBe(domain === undefined ? null : `***@${domain}`);
      expect(contact.phone).toBe(real[index]?.phone === null ? null : '***');
    }
    expect(viewer.body.meta.withheld).toEqual([
      { path: 'customer.contacts[].email', field: 'contact.email', reason: 'masked' },
      { path: 'customer.contacts[].phone', field: 'contact.phone', reason: 'masked' },
    ]);
    expect(admin.body.meta.withheld).toBeUndefined();
  });

  it("masks a viewer's contacts over MCP and names them in _meta and the text", async () => {
    // Arrange
    const viewer = await connectMcp(local, vic);
    const admin = await connectMcp(local, root);

    // Act
    const masked = await viewer.callTool({
      name: 'get_customer',
      arguments: { customerId: 'C-00021' },
    });
    const full = await admin.callTool({
      name: 'get_customer',
      arguments: { customerId: 'C-00021' },
    });

    // Assert
    const contacts = contactsOf(masked.structuredContent as never);
    expect(contacts.every((contact) => contact.phone === null || contact.phone === '***')).toBe(
      true,
    );
    expect(masked._meta?.withheld).toContainEqual({
      path: 'customer.contacts[].phone',
      field: 'contact.phone',
      reason: 'masked',
    });
    const texts = (masked.content as { type: string; text: string }[]).map((block) => block.text);
    expect(texts.at(-1)).toContain('customer.contacts[].phone (masked)');
    expect(contactsOf(full.structuredContent as never).some((c) => c.phone?.includes('*'))).toBe(
      false,
    );
    expect(full._meta?.withheld).toBeUndefined();
    await viewer.close();
    await admin.close();
  });

  it("shows each caller the output schema they receive, in the REST catalog and MCP's tools/list", async () => {
    // Act
    const viewer = await local.call('GET', '/tools/get_customer', { as: vic });
    const admin = await local.call('GET', '/tools/get_customer', { as: root });
    const listed = await local.call('GET', '/tools', { as: vic });
    const client = await connectMcp(local, vic);
    const { tools } = await client.listTools();
    await client.close();

    // Assert
    expect(contactSchemaOf(viewer.body.outputSchema).properties.phone?.description).toContain(
      'Masked for your role',
    );
    expect(contactSchemaOf(admin.body.outputSchema).properties.phone?.description).not.toContain(
      'Masked',
    );
    const fromList = listed.body.tools.find(
      (tool: { name: string }) => tool.name === 'get_customer',
    );
    expect(fromList.outputSchema).toEqual(viewer.body.outputSchema);
    const mcpTool = tools.find((tool) => tool.name === 'get_customer');
    expect((mcpTool?.outputSchema as unknown as Schema | undefined)?.anyOf[0]).toEqual(
      viewer.body.outputSchema,
    );
  });

  it("withholds the customer's annual revenue from support in the composite get_customer_context", async () => {
    // Act
    const res = await local.call('POST', '/tools/get_customer_context', {
      as: sam,
      body: { customerId: 'C-00021' },
    });
    const descriptor = await local.call('GET', '/tools/get_customer_context', { as: sam });

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.data.customer.name).toEqual(expect.any(String));
    expect(res.body.data.customer).not.toHaveProperty('annualRevenue');
    expect(res.body.meta.withheld).toContainEqual({
      path: 'customer.annualRevenue',
      field: 'customer.annualRevenue',
      reason: 'withheld',
    });
    const customerSchema = (descriptor.body.outputSchema as Schema).properties.customer as Schema;
    expect(customerSchema.anyOf[0]?.properties).not.toHaveProperty('annualRevenue');
  });

  it("withholds order prices from support over MCP, where the client checks the answer against support's schema", async () => {
    // Arrange: the SDK client validates structured content against the output schema it listed.
    const client = await connectMcp(local, sam);
    await client.listTools();

    // Act
    const result = await client.callTool({
      name: 'get_order_status',
      arguments: { orderId: 'SO-100001' },
    });
    await client.close();

    // Assert
    expect(result.isError).toBeFalsy();
    const order = (result.structuredContent as { order: Record<string, unknown> }).order;
    expect(order.id).toBe('SO-100001');
    expect(order).not.toHaveProperty('total');
    for (const line of order.lines as Record<string, unknown>[]) {
      expect(Object.keys(line).sort()).toEqual(['description', 'quantity', 'sku']);
    }
  });
});
