import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCrmSandbox } from '#local/sandboxes/crm.ts';
import { getSeed } from '#local/sandboxes/seed.ts';
import type { RunningSandbox } from '#local/sandboxes/server.ts';
import { call, credentials, resetFaults, setFaults } from './support.ts';

const headers = { authorization: `Bearer ${credentials.crm.token}` };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('startCrmSandbox', () => {
  let crm: RunningSandbox;
  const seed = getSeed();
  const company = seed.companies[6]!;
  const get = (path: string) => call(`${crm.url}${path}`, { headers });
  const post = (path: string, body: unknown) =>
    call(`${crm.url}${path}`, { method: 'POST', headers, body });

  beforeAll(async () => {
    crm = await startCrmSandbox({ credentials: credentials.crm });
  });
  afterEach(() => resetFaults(crm.url));
  afterAll(() => crm.close());

  describe('authentication', () => {
    it('returns 401 INVALID_AUTHENTICATION when the token is wrong', async () => {
      // Act
      const res = await call(`${crm.url}/crm/v3/objects/companies`, {
        headers: { authorization: 'Bearer wrong' },
      });

      // Assert
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
      expect(res.body.message).toMatch(/^Authentication credentials not found/);
      expect(res.body.correlationId).toMatch(UUID);
    });

    it('returns 401 when the token is missing', async () => {
      // Act
      const res = await call(`${crm.url}/crm/v3/objects/contacts/1`);

      // Assert
      expect(res.status).toBe(401);
    });
  });

  describe('companies.list', () => {
    it('returns 10 companies with the default properties, all strings, and a next page', async () => {
      // Act
      const res = await get('/crm/v3/objects/companies');

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.results).toHaveLength(10);
      const first = res.body.results[0];
      expect(first).toMatchObject({ id: seed.companies[0]?.crmId, archived: false });
      expect(first.id).toMatch(/^\d+$/);
      expect(Object.keys(first.properties).sort()).toEqual(
        ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'].sort(),
      );
      expect(new Date(first.createdAt).toISOString()).toBe(first.createdAt);
      expect(first).not.toHaveProperty('associations');
      expect(res.body.paging.next.after).toBe('10');
      expect(res.body.paging.next.link).toBe(`${crm.url}/crm/v3/objects/companies?after=10`);
    });

    it('returns the requested properties and contact associations', async () => {
      // Act
      const res = await get(
        '/crm/v3/objects/companies?limit=2&properties=industry,customer_number,numberofemployees&associations=contacts',
      );

      // Assert
      const first = res.body.results[0];
      expect(first.properties).toMatchObject({
        customer_number: 'C-00001',
        industry: seed.companies[0]?.industry,
        numberofemployees: String(seed.companies[0]?.employees),
      });
      expect(first.associations.contacts.results).toEqual(
        seed.companies[0]?.contactIds.map((id) => ({ id, type: 'company_to_contact' })),
      );
    });

    it('walks every company exactly once when following paging.next.after', async () => {
      // Arrange
      const ids: string[] = [];
      let after: string | undefined;

      // Act
      do {
        const page = await get(
          `/crm/v3/objects/companies?limit=100${after ? `&after=${after}` : ''}`,
        );
        ids.push(...page.body.results.map((result: { id: string }) => result.id));
        after = page.body.paging?.next.after;
      } while (after);

      // Assert
      expect(ids).toHaveLength(250);
      expect(new Set(ids).size).toBe(250);
    });

    it('returns 400 VALIDATION_ERROR when limit or after is invalid', async () => {
      // Act
      const limit = await get('/crm/v3/objects/companies?limit=101');
      const after = await get('/crm/v3/objects/companies?after=abc');

      // Assert
      expect(limit.status).toBe(400);
      expect(limit.body.category).toBe('VALIDATION_ERROR');
      expect(after.status).toBe(400);
    });
  });

  describe('companies.get', () => {
    it('returns a company by id with every property a string or null', async () => {
      // Act
      const res = await get(
        `/crm/v3/objects/companies/${company.crmId}?properties=name,domain,industry,city,country,phone,numberofemployees,annualrevenue,lifecyclestage,customer_number`,
      );

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.properties).toMatchObject({
        name: company.name,
        customer_number: 'C-00007',
        annualrevenue: String(company.annualRevenue),
        hs_object_id: company.crmId,
      });
      for (const value of Object.values(res.body.properties))
        expect(value === null || typeof value === 'string').toBe(true);
    });

    it('finds a company by customer number with idProperty', async () => {
      // Act
      const res = await get(
        '/crm/v3/objects/companies/C-00007?idProperty=customer_number&associations=contacts',
      );

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(company.crmId);
      expect(res.body.associations.contacts.results).toHaveLength(company.contactIds.length);
    });

    it('returns 404 OBJECT_NOT_FOUND when the company is missing', async () => {
      // Act
      const byId = await get('/crm/v3/objects/companies/1');
      const byNumber = await get('/crm/v3/objects/companies/C-99999?idProperty=customer_number');

      // Assert
      expect(byId.status).toBe(404);
      expect(byId.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
      expect(byId.body.correlationId).toMatch(UUID);
      expect(byNumber.status).toBe(404);
    });

    it('returns 400 when idProperty is not a unique property', async () => {
      // Act
      const res = await get('/crm/v3/objects/companies/Retail?idProperty=industry');

      // Assert
      expect(res.status).toBe(400);
      expect(res.body.category).toBe('VALIDATION_ERROR');
    });
  });

  describe('companies.search', () => {
    it('finds one company with an EQ filter on customer_number', async () => {
      // Act
      const res = await post('/crm/v3/objects/companies/search', {
        filterGroups: [
          { filters: [{ propertyName: 'customer_number', operator: 'EQ', value: 'C-00007' }] },
        ],
        properties: ['customer_number'],
      });

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(1);
      expect(res.body.results[0].properties).toMatchObject({
        name: company.name,
        customer_number: 'C-00007',
      });
      expect(res.body).not.toHaveProperty('paging');
    });

    it('matches free text over name, domain and customer number, ignoring case', async () => {
      // Act
      const byName = await post('/crm/v3/objects/companies/search', {
        query: company.name.toUpperCase(),
      });
      const byNumber = await post('/crm/v3/objects/companies/search', { query: 'c-0000' });

      // Assert
      expect(byName.body.results.map((r: { id: string }) => r.id)).toContain(company.crmId);
      expect(byNumber.body.total).toBe(9);
    });

    it('compares numbers numerically in GT filters and sorts', async () => {
      // Act
      const res = await post('/crm/v3/objects/companies/search', {
        filterGroups: [
          { filters: [{ propertyName: 'numberofemployees', operator: 'GT', value: '4000' }] },
        ],
        sorts: [{ propertyName: 'numberofemployees', direction: 'DESCENDING' }],
        properties: ['numberofemployees'],
        limit: 200,
      });

      // Assert
      const expected = seed.companies.filter((c) => c.employees > 4000).length;
      const counts = res.body.results.map((r: any) => Number(r.properties.numberofemployees));
      expect(res.body.total).toBe(expected);
      expect(counts.every((count: number) => count > 4000)).toBe(true);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    });

    it('ORs filter groups and ANDs filters within a group', async () => {
      // Act
      const res = await post('/crm/v3/objects/companies/search', {
        filterGroups: [
          {
            filters: [
              { propertyName: 'country', operator: 'EQ', value: 'Germany' },
              { propertyName: 'industry', operator: 'EQ', value: 'Retail' },
            ],
          },
          { filters: [{ propertyName: 'customer_number', operator: 'EQ', value: 'C-00001' }] },
        ],
      });

      // Assert
      const expected = seed.companies.filter(
        (c) =>
          (c.country === 'Germany' && c.industry === 'Retail') || c.customerNumber === 'C-00001',
      ).length;
      expect(res.body.total).toBe(expected);
    });

    it('pages through every match with after', async () => {
      // Arrange
      const ids: string[] = [];
      let after: string | undefined;
      const body = { query: 'logistics', limit: 3 };

      // Act
      let total = 0;
      do {
        const page = await post('/crm/v3/objects/companies/search', {
          ...body,
          ...(after ? { after } : {}),
        });
        total = page.body.total;
        ids.push(...page.body.results.map((r: { id: string }) => r.id));
        after = page.body.paging?.next.after;
      } while (after);

      // Assert
      expect(total).toBeGreaterThan(3);
      expect(ids).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);
    });

    it('returns 400 VALIDATION_ERROR when an operator is unknown or limit exceeds 200', async () => {
      // Act
      const operator = await post('/crm/v3/objects/companies/search', {
        filterGroups: [{ filters: [{ propertyName: 'name', operator: 'LIKE', value: 'x' }] }],
      });
      const limit = await post('/crm/v3/objects/companies/search', { limit: 201 });

      // Assert
      expect(operator.status).toBe(400);
      expect(operator.body.category).toBe('VALIDATION_ERROR');
      expect(operator.body.message).toContain('operator');
      expect(limit.status).toBe(400);
    });
  });

  describe('contacts', () => {
    const contact = seed.contacts[3]!;

    it('lists contacts with the default contact properties', async () => {
      // Act
      const res = await get('/crm/v3/objects/contacts?limit=5');

      // Assert
      expect(res.body.results).toHaveLength(5);
      expect(Object.keys(res.body.results[0].properties).sort()).toEqual(
        ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'].sort(),
      );
    });

    it('returns a contact with its company association and company name', async () => {
      // Act
      const res = await get(
        `/crm/v3/objects/contacts/${contact.crmId}?properties=jobtitle,company,associatedcompanyid,phone&associations=companies`,
      );

      // Assert
      const owner = seed.companies.find((c) => c.crmId === contact.companyCrmId);
      expect(res.status).toBe(200);
      expect(res.body.properties).toMatchObject({
        firstname: contact.firstName,
        email: contact.email,
        jobtitle: contact.jobTitle,
        company: owner?.name,
        associatedcompanyid: contact.companyCrmId,
        phone: contact.phone,
      });
      expect(res.body.associations.companies.results).toEqual([
        { id: contact.companyCrmId, type: 'contact_to_company' },
      ]);
    });

    it('finds a contact by email in free text search', async () => {
      // Act
      const res = await post('/crm/v3/objects/contacts/search', { query: contact.email });

      // Assert
      expect(res.body.total).toBe(1);
      expect(res.body.results[0].id).toBe(contact.crmId);
    });

    it('reads a batch, leaving out ids that do not exist', async () => {
      // Act
      const res = await post('/crm/v3/objects/contacts/batch/read', {
        inputs: [{ id: contact.crmId }, { id: '404' }, { id: seed.contacts[0]!.crmId }],
        properties: ['jobtitle'],
      });

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('COMPLETE');
      expect(res.body.results.map((r: { id: string }) => r.id)).toEqual([
        contact.crmId,
        seed.contacts[0]!.crmId,
      ]);
      expect(res.body.results[0].properties.jobtitle).toBe(contact.jobTitle);
      expect(Date.parse(res.body.completedAt)).toBeGreaterThanOrEqual(
        Date.parse(res.body.startedAt),
      );
    });

    it('returns 400 when the batch body has no inputs', async () => {
      // Act
      const res = await post('/crm/v3/objects/contacts/batch/read', { ids: ['1'] });

      // Assert
      expect(res.status).toBe(400);
      expect(res.body.category).toBe('VALIDATION_ERROR');
    });
  });

  it('answers injected faults in the HubSpot error shape', async () => {
    // Arrange
    await setFaults(crm.url, { errorRate: 1, status: 429, operation: 'contacts.batchRead' });

    // Act
    const res = await post('/crm/v3/objects/contacts/batch/read', { inputs: [] });

    // Assert
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ status: 'error', category: 'RATE_LIMITS' });
    expect(res.body.correlationId).toMatch(UUID);
  });

  it('lists its operation names', async () => {
    // Act
    const res = await call(`${crm.url}/_sandbox/operations`);

    // Assert
    expect(res.body.operations).toEqual(
      expect.arrayContaining([
        'companies.list',
        'companies.get',
        'companies.search',
        'contacts.list',
        'contacts.get',
        'contacts.search',
        'contacts.batchRead',
      ]),
    );
  });
});
