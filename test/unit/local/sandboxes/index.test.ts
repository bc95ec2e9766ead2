import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandboxes, startSandboxes } from '#local/sandboxes/index.ts';
import { getSeed } from '#local/sandboxes/seed.ts';
import { basic, call, credentials, erpToken, startReceiver } from './support.ts';

describe('startSandboxes', () => {
  let sandboxes: Sandboxes;

  beforeAll(async () => {
    sandboxes = await startSandboxes(credentials);
  });
  afterAll(() => sandboxes.close());

  it('starts every system on its own port, each healthy', async () => {
    // Arrange
    const systems = [sandboxes.crm, sandboxes.erp, sandboxes.ticketing, sandboxes.mail];

    // Act
    const health = await Promise.all(
      systems.map((system) => call(`${system.url}/_sandbox/health`)),
    );

    // Assert
    expect(new Set(systems.map((system) => system.url)).size).toBe(4);
    expect(health.map((res) => res.body.system)).toEqual(['crm', 'erp', 'ticketing', 'mail']);
  });

  it("refuses one system's credentials on another", async () => {
    // Act
    const crmTokenOnZendesk = await call(`${sandboxes.ticketing.url}/api/v2/tickets.json`, {
      headers: { authorization: `Bearer ${credentials.crm.token}` },
    });
    const zendeskLoginOnCrm = await call(`${sandboxes.crm.url}/crm/v3/objects/companies`, {
      headers: {
        authorization: basic(credentials.ticketing.username, credentials.ticketing.password),
      },
    });

    // Assert
    expect(crmTokenOnZendesk.status).toBe(401);
    expect(zendeskLoginOnCrm.status).toBe(401);
  });

  it('links one customer across the three systems by customer number', async () => {
    // Arrange
    const customer = 'C-00021';
    const erpHeaders = { authorization: `Bearer ${await erpToken(sandboxes.erp.url)}` };
    const zendeskHeaders = {
      authorization: basic(credentials.ticketing.username, credentials.ticketing.password),
    };

    // Act
    const company = await call(
      `${sandboxes.crm.url}/crm/v3/objects/companies/${customer}?idProperty=customer_number&associations=contacts`,
      { headers: { authorization: `Bearer ${credentials.crm.token}` } },
    );
    const contacts = await call(`${sandboxes.crm.url}/crm/v3/objects/contacts/batch/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credentials.crm.token}` },
      body: {
        inputs: company.body.associations.contacts.results.map((r: { id: string }) => ({
          id: r.id,
        })),
      },
    });
    const erpCustomer = await call(`${sandboxes.erp.url}/api/v1/customers/${customer}`, {
      headers: erpHeaders,
    });
    const orders = await call(`${sandboxes.erp.url}/api/v1/customers/${customer}/orders`, {
      headers: erpHeaders,
    });
    const organizations = await call(
      `${sandboxes.ticketing.url}/api/v2/organizations/search.json?external_id=${customer}`,
      { headers: zendeskHeaders },
    );
    const organization = organizations.body.organizations[0];
    const tickets = await call(
      `${sandboxes.ticketing.url}/api/v2/organizations/${organization.id}/tickets.json`,
      { headers: zendeskHeaders },
    );
    const requester = await call(
      `${sandboxes.ticketing.url}/api/v2/users/${tickets.body.tickets[0].requester_id}.json`,
      { headers: zendeskHeaders },
    );

    // Assert
    expect(erpCustomer.body.name).toBe(company.body.properties.name);
    expect(organization.name).toBe(company.body.properties.name);
    expect(orders.body.items.length).toBeGreaterThan(0);
    expect(orders.body.items.every((o: any) => o.customer_number === customer)).toBe(true);
    expect(tickets.body.tickets.length).toBeGreaterThan(0);
    expect(contacts.body.results.map((c: any) => c.properties.email)).toContain(
      requester.body.user.email,
    );
  });
});

describe('startSandboxes webhooks', () => {
  let sandboxes: Sandboxes;

  beforeAll(async () => {
    sandboxes = await startSandboxes(credentials);
  });
  afterAll(() => sandboxes.close());

  it("sends the CRM's and the ticketing system's changes to the targets set on each", async () => {
    // Arrange
    const receiver = await startReceiver();
    sandboxes.crm.setWebhooks({ url: `${receiver.url}?source=hubspot`, secret: 'crm-hook' });
    sandboxes.ticketing.setWebhooks({ url: `${receiver.url}?source=zendesk`, secret: 'zd-hook' });

    // Act
    await call(`${sandboxes.crm.url}/crm/v3/objects/contacts/${getSeed().contacts[0]!.crmId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${credentials.crm.token}` },
      body: { properties: { jobtitle: 'Webhook Buyer' } },
    });
    await call(`${sandboxes.ticketing.url}/api/v2/tickets.json`, {
      method: 'POST',
      headers: {
        authorization: basic(credentials.ticketing.username, credentials.ticketing.password),
      },
      body: { ticket: { subject: 'Hello', comment: { body: 'Hi' } } },
    });
    const deliveries = await receiver.waitFor(2);
    await receiver.close();

    // Assert
    expect(deliveries.map((delivery) => new URL(delivery.url).search).sort()).toEqual([
      '?source=hubspot',
      '?source=zendesk',
    ]);
  });

  it('throws when a target is set on a system that sends no webhooks', () => {
    // Act + Assert
    expect(() =>
      sandboxes.erp.setWebhooks({ url: 'http://127.0.0.1:9/hook', secret: 's' }),
    ).toThrow(/erp sandbox sends no webhooks/);
    expect(() => sandboxes.mail.setWebhooks(undefined)).not.toThrow();
  });
});

describe('Sandboxes.close', () => {
  it('stops every system', async () => {
    // Arrange
    const sandboxes = await startSandboxes(credentials);

    // Act
    await sandboxes.close();

    // Assert
    for (const system of [sandboxes.crm, sandboxes.erp, sandboxes.ticketing, sandboxes.mail])
      await expect(fetch(`${system.url}/_sandbox/health`)).rejects.toThrow(TypeError);
  });
});
