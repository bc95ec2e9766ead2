import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandboxes, startSandboxes } from '#local/sandboxes/index.ts';
import { getSeed, VOLUMES } from '#local/sandboxes/seed.ts';

const credentials = {
  crm: { token: 'crm-token-123' },
  erp: { clientId: 'erp-client', clientSecret: 'erp-secret-456' },
  ticketing: { username: 'api@acme.example/token', password: 'zd-789' },
  mail: { clientId: 'mail-client', clientSecret: 'mail-secret' },
};
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('seed data', () => {
  it('has at least the volumes local mode promises, linked by customer number', () => {
    const seed = getSeed();
    expect(seed.companies.length).toBeGreaterThanOrEqual(200);
    expect(seed.orders.length).toBeGreaterThanOrEqual(2000);
    expect(seed.tickets.length).toBeGreaterThanOrEqual(500);
    expect(seed.companies.length).toBe(VOLUMES.companies);
    const numbers = new Set(seed.companies.map((company) => company.customerNumber));
    expect(numbers.size).toBe(seed.companies.length);
    for (const order of seed.orders) expect(numbers.has(order.customerNumber)).toBe(true);
    for (const company of seed.companies)
      expect(company.contactIds.length).toBeGreaterThanOrEqual(1);
  });

  it('is the same in every process', async () => {
    const { execFileSync } = await import('node:child_process');
    const digest = () =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          "import('#local/sandboxes/seed.ts').then(({ getSeed }) => process.stdout.write(require('node:crypto').createHash('sha256').update(JSON.stringify(getSeed())).digest('hex')))",
        ],
        { encoding: 'utf8' },
      );
    expect(digest()).toBe(digest());
  });
});

describe('sandbox systems', () => {
  let sandboxes: Sandboxes;
  let erpToken: string;

  beforeAll(async () => {
    sandboxes = await startSandboxes(credentials);
    const response = await fetch(`${sandboxes.erp.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=erp-client&client_secret=erp-secret-456',
    });
    erpToken = ((await response.json()) as { access_token: string }).access_token;
  });
  afterAll(() => sandboxes.close());

  it("refuses wrong credentials on every system, in the vendor's error shape", async () => {
    const crm = await fetch(`${sandboxes.crm.url}/crm/v3/objects/companies`, {
      headers: { authorization: 'Bearer wrong' },
    });
    expect(crm.status).toBe(401);
    expect(await crm.json()).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    const token = await fetch(`${sandboxes.erp.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic('erp-client', 'nope'),
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(401);
    expect(await token.json()).toMatchObject({ error: 'invalid_client' });
    const erp = await fetch(`${sandboxes.erp.url}/api/v1/orders/SO-100001`, {
      headers: { authorization: 'Bearer made-up' },
    });
    expect(erp.status).toBe(401);
    const zendesk = await fetch(`${sandboxes.ticketing.url}/api/v2/tickets.json`, {
      headers: { authorization: basic(credentials.ticketing.username, 'nope') },
    });
    expect(zendesk.status).toBe(401);
    expect(await zendesk.json()).toEqual({ error: "Couldn't authenticate you" });
  });

  it('finds a CRM company by customer number with its associated contacts, all properties strings', async () => {
    const response = await fetch(
      `${sandboxes.crm.url}/crm/v3/objects/companies/C-00007?idProperty=customer_number&properties=name,numberofemployees&associations=contacts`,
      { headers: { authorization: 'Bearer crm-token-123' } },
    );
    const company = (await response.json()) as {
      properties: Record<string, unknown>;
      associations: { contacts: { results: unknown[] } };
    };
    expect(response.status).toBe(200);
    expect(typeof company.properties.numberofemployees).toBe('string');
    expect(company.properties).toHaveProperty('hs_object_id');
    expect(company.properties).not.toHaveProperty('industry');
    expect(company.associations.contacts.results.length).toBeGreaterThan(0);
  });

  it('walks every Zendesk ticket page exactly once', async () => {
    const ids: number[] = [];
    let url: string | null = `${sandboxes.ticketing.url}/api/v2/tickets.json?page[size]=100`;
    while (url) {
      const page = (await (
        await fetch(url, {
          headers: {
            authorization: basic(credentials.ticketing.username, credentials.ticketing.password),
          },
        })
      ).json()) as {
        tickets: { id: number }[];
        meta: { has_more: boolean; after_cursor: string | null };
      };
      ids.push(...page.tickets.map((ticket) => ticket.id));
      url = page.meta.has_more
        ? `${sandboxes.ticketing.url}/api/v2/tickets.json?page[size]=100&page[after]=${page.meta.after_cursor}`
        : null;
    }
    expect(ids).toHaveLength(getSeed().tickets.length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers ERP orders newest first with legacy dates and decimal strings, and refuses an unknown status', async () => {
    const headers = { authorization: `Bearer ${erpToken}` };
    const response = await fetch(`${sandboxes.erp.url}/api/v1/customers/C-00001/orders?limit=5`, {
      headers,
    });
    const page = (await response.json()) as {
      items: { order_date: string; total_amount: string }[];
      next_cursor: string | null;
    };
    expect(page.items).toHaveLength(5);
    expect(page.items[0]?.order_date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(page.items[0]?.total_amount).toMatch(/^\d+\.\d{2}$/);
    expect(page.next_cursor).not.toBeNull();
    const dates = page.items.map((item) => item.order_date);
    expect([...dates].sort().reverse()).toEqual(dates);
    const bad = await fetch(`${sandboxes.erp.url}/api/v1/customers/C-00001/orders?status=lost`, {
      headers,
    });
    expect(bad.status).toBe(400);
  });

  it('applies and resets fault switches, scoped to one operation when asked', async () => {
    const put = (body: unknown) =>
      fetch(`${sandboxes.erp.url}/_sandbox/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const headers = { authorization: `Bearer ${erpToken}` };
    expect((await put({ errorRate: 1, status: 502, operation: 'orders.get' })).status).toBe(200);
    const failed = await fetch(`${sandboxes.erp.url}/api/v1/orders/SO-100001`, { headers });
    const unaffected = await fetch(`${sandboxes.erp.url}/api/v1/products/SKU-10001`, { headers });
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ error: { code: 'SERVER_ERROR' } });
    expect(unaffected.status).toBe(200);
    await fetch(`${sandboxes.erp.url}/_sandbox/faults`, { method: 'DELETE' });
    expect((await fetch(`${sandboxes.erp.url}/api/v1/orders/SO-100001`, { headers })).status).toBe(
      200,
    );
  });

  it('drops connections when down', async () => {
    await fetch(`${sandboxes.crm.url}/_sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify({ down: true }),
    });
    await expect(
      fetch(`${sandboxes.crm.url}/crm/v3/objects/companies`, {
        headers: { authorization: 'Bearer crm-token-123' },
      }),
    ).rejects.toThrow();
    await fetch(`${sandboxes.crm.url}/_sandbox/faults`, { method: 'DELETE' });
  });

  it('refuses a bad fault body or an unknown operation with 400 naming it', async () => {
    const put = (body: unknown) =>
      fetch(`${sandboxes.ticketing.url}/_sandbox/faults`, {
        method: 'PUT',
        body: JSON.stringify(body),
      });
    const badRate = await put({ errorRate: 2 });
    expect(badRate.status).toBe(400);
    expect(JSON.stringify(await badRate.json())).toContain('errorRate');
    const unknown = await put({ operation: 'tickets.purge' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('tickets.purge');
  });
});
