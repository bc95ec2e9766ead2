import * as z from 'zod';
import type { Connector } from '../../connectors/connector.ts';
import { NotFoundError, UpstreamDataError } from '../../errors/index.ts';
import type { Contact, Customer, CustomerSummary } from '../../model/customer.ts';
import { vendorDate, vendorNumber } from '../../model/time.ts';

/** HubSpot returns every property as a string or null. */
const properties = z.record(z.string(), z.string().nullable());
const hubspotObject = z.object({
  id: z.string(),
  properties,
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  associations: z
    .record(z.string(), z.object({ results: z.array(z.object({ id: z.string() })) }))
    .optional(),
});
type HubspotObject = z.output<typeof hubspotObject>;

const searchResponse = z.object({
  total: z.number(),
  results: z.array(hubspotObject),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
const batchResponse = z.object({ results: z.array(hubspotObject) });

const COMPANY_PROPERTIES = [
  'name',
  'domain',
  'industry',
  'city',
  'country',
  'phone',
  'numberofemployees',
  'annualrevenue',
  'lifecyclestage',
  'customer_number',
  'createdate',
  'hs_lastmodifieddate',
];
const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'jobtitle'];

const prop = (object: HubspotObject, name: string): string | null => {
  const value = object.properties[name];
  return value === undefined || value === '' ? null : value;
};

const companyConversions = z.object({
  numberofemployees: vendorNumber,
  annualrevenue: vendorNumber,
  createdate: vendorDate,
  hs_lastmodifieddate: vendorDate,
});

function toSummary(company: HubspotObject): CustomerSummary {
  return {
    id: prop(company, 'customer_number') ?? `unlinked-${company.id}`,
    name: prop(company, 'name') ?? '(no name)',
    domain: prop(company, 'domain'),
    industry: prop(company, 'industry'),
    city: prop(company, 'city'),
    country: prop(company, 'country'),
  };
}

function toContact(contact: HubspotObject): Contact {
  return {
    id: contact.id,
    firstName: prop(contact, 'firstname'),
    lastName: prop(contact, 'lastname'),
    email: prop(contact, 'email'),
    phone: prop(contact, 'phone'),
    jobTitle: prop(contact, 'jobtitle'),
  };
}

/**
 * Customers in a HubSpot-shaped CRM: companies keyed by the `customer_number` property.
 *
 * @example
 * const customers = await crmCustomers(ctx.connectors.crm).search('acme', 10);
 */
export function crmCustomers(crm: Connector) {
  return {
    /** Free-text search over name, domain and customer number. */
    async search(query: string, limit: number): Promise<CustomerSummary[]> {
      return crm.paginate({
        operation: 'companies.search',
        method: 'POST',
        idempotent: true,
        path: '/crm/v3/objects/companies/search',
        body: { query, properties: COMPANY_PROPERTIES, limit },
        response: searchResponse,
        items: (page) =>
          page.results.filter((company) => prop(company, 'customer_number')).map(toSummary),
        limit,
      });
    },

    async get(customerId: string): Promise<Customer> {
      const company = await crm.request({
        operation: 'companies.get',
        path: `/crm/v3/objects/companies/${encodeURIComponent(customerId)}`,
        query: {
          idProperty: 'customer_number',
          properties: COMPANY_PROPERTIES.join(','),
          associations: 'contacts',
        },
        response: hubspotObject,
        notFound: () =>
          new NotFoundError(
            'customer_not_found',
            `No customer ${customerId} exists in the CRM. Use search_customers to find the right customer id.`,
          ),
      });
      const converted = companyConversions.safeParse(company.properties);
      if (!converted.success) {
        throw new UpstreamDataError(
          `${crm.displayName} sent customer ${customerId} with unreadable numbers or dates. This needs an operator; tell the user the record cannot be read right now.`,
        );
      }
      const numbers = converted.data;
      const contactIds = company.associations?.contacts?.results.map((result) => result.id) ?? [];
      const contacts = contactIds.length
        ? (
            await crm.request({
              operation: 'contacts.batchRead',
              method: 'POST',
              idempotent: true,
              path: '/crm/v3/objects/contacts/batch/read',
              body: { inputs: contactIds.map((id) => ({ id })), properties: CONTACT_PROPERTIES },
              response: batchResponse,
            })
          ).results.map(toContact)
        : [];
      return {
        ...toSummary(company),
        id: customerId,
        crmId: company.id,
        phone: prop(company, 'phone'),
        employees: numbers.numberofemployees ?? null,
        annualRevenue: numbers.annualrevenue ?? null,
        lifecycleStage: prop(company, 'lifecyclestage'),
        createdAt: numbers.createdate ?? null,
        updatedAt: numbers.hs_lastmodifieddate ?? null,
        contacts,
      };
    },
  };
}
