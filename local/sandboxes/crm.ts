import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { CRM_OAUTH_CLIENT_ID, type CrmPrincipal, crmOAuth, ownerOfCompany } from './crm-oauth.ts';
import { hubspotWebhooks } from './crm-webhooks.ts';
import { type CrmRecord, crmWriteRoutes, hubspotError, propertyOf } from './crm-writes.ts';
import { getSeed, type SeedCompany, type SeedContact } from './seed.ts';
import {
  intParam,
  isoOf,
  offsetParam,
  type RunningSandbox,
  type SandboxRoute,
  startSandbox,
} from './server.ts';
import { defineSystemSandbox, demoSecret } from './system-sandbox.ts';
import { webhookOutbox } from './webhooks.ts';

type Properties = Record<string, string | null>;
type CrmObject = CrmRecord;

const COMPANY_DEFAULTS = ['name', 'domain', 'createdate', 'hs_lastmodifieddate', 'hs_object_id'];
const CONTACT_DEFAULTS = [
  'firstname',
  'lastname',
  'email',
  'createdate',
  'lastmodifieddate',
  'hs_object_id',
];

function companyObject(company: SeedCompany, index: number): CrmObject {
  return {
    owner: ownerOfCompany(index).id,
    id: company.crmId,
    createdAt: isoOf(company.createdAt),
    updatedAt: isoOf(company.updatedAt),
    associated: company.contactIds,
    all: {
      name: company.name,
      domain: company.domain,
      industry: company.industry,
      city: company.city,
      country: company.country,
      phone: company.phone,
      numberofemployees: String(company.employees),
      annualrevenue: String(company.annualRevenue),
      lifecyclestage: company.lifecycleStage,
      customer_number: company.customerNumber,
      createdate: isoOf(company.createdAt),
      hs_lastmodifieddate: isoOf(company.updatedAt),
      hs_object_id: company.crmId,
      hubspot_owner_id: ownerOfCompany(index).id,
    },
  };
}

function contactObject(
  contact: SeedContact,
  company: SeedCompany | undefined,
  owner: string | undefined,
): CrmObject {
  return {
    ...(owner ? { owner } : {}),
    id: contact.crmId,
    createdAt: isoOf(contact.createdAt),
    updatedAt: isoOf(contact.updatedAt),
    associated: [contact.companyCrmId],
    all: {
      firstname: contact.firstName,
      lastname: contact.lastName,
      email: contact.email,
      phone: contact.phone,
      jobtitle: contact.jobTitle,
      company: company?.name ?? null,
      associatedcompanyid: contact.companyCrmId,
      createdate: isoOf(contact.createdAt),
      lastmodifieddate: isoOf(contact.updatedAt),
      hs_object_id: contact.crmId,
      hubspot_owner_id: owner ?? null,
    },
  };
}

const searchBody = z.object({
  filterGroups: z
    .array(
      z.object({
        filters: z.array(
          z.object({
            propertyName: z.string(),
            operator: z.enum(['EQ', 'NEQ', 'CONTAINS_TOKEN', 'GT', 'LT', 'HAS_PROPERTY']),
            value: z.union([z.string(), z.number()]).optional(),
          }),
        ),
      }),
    )
    .optional(),
  query: z.string().optional(),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().min(1).max(200).optional(),
  after: z.union([z.string(), z.number()]).optional(),
  sorts: z
    .array(z.object({ propertyName: z.string(), direction: z.enum(['ASCENDING', 'DESCENDING']) }))
    .optional(),
});

/**
 * Orders two property values as HubSpot does for their type: numbers numerically, dates (ISO or
 * epoch milliseconds) chronologically, anything else as text.
 */
function compareValues(left: string, right: string): number {
  const a = Number(left);
  const b = Number(right);
  if (left !== '' && right !== '' && Number.isFinite(a) && Number.isFinite(b)) return a - b;
  const asTime = (value: string) => (/^\d+$/.test(value) ? Number(value) : Date.parse(value));
  const aTime = asTime(left);
  const bTime = asTime(right);
  if (/^\d{4}-\d{2}-\d{2}/.test(left) && Number.isFinite(aTime) && Number.isFinite(bTime))
    return aTime - bTime;
  return left.localeCompare(right);
}

function matchesFilter(
  object: CrmObject,
  filter: { propertyName: string; operator: string; value?: string | number | undefined },
): boolean {
  const actual = propertyOf(object, filter.propertyName) ?? null;
  const wanted = filter.value === undefined ? '' : String(filter.value);
  switch (filter.operator) {
    case 'EQ':
      return actual?.toLowerCase() === wanted.toLowerCase();
    case 'NEQ':
      return actual?.toLowerCase() !== wanted.toLowerCase();
    case 'CONTAINS_TOKEN':
      return actual?.toLowerCase().includes(wanted.replace(/\*/g, '').toLowerCase()) ?? false;
    case 'GT':
      return actual !== null && compareValues(actual, wanted) > 0;
    case 'LT':
      return actual !== null && compareValues(actual, wanted) < 0;
    default:
      return actual !== null;
  }
}

/** A HubSpot CRM v3 object type: list, get (with idProperty), search, batch read. */
function objectRoutes(
  type: 'companies' | 'contacts',
  all: () => CrmObject[],
  principalOf: (headers: IncomingHttpHeaders) => CrmPrincipal | undefined,
  options: {
    defaults: string[];
    association: string;
    associationType: string;
    textFields: string[];
    uniqueProperties: string[];
  },
): SandboxRoute[] {
  const base = `/crm/v3/objects/${type}`;
  // Owner-based visibility, as HubSpot's "owned only" permission: a user token sees its own records.
  const objects = (headers: IncomingHttpHeaders) => {
    const principal = principalOf(headers);
    return principal?.kind === 'user'
      ? all().filter((object) => object.owner === principal.owner.id)
      : all();
  };
  const byId = (headers: IncomingHttpHeaders) =>
    new Map(objects(headers).map((object) => [object.id, object]));
  const present = (object: CrmObject, requested: string[] | undefined, associations: boolean) => {
    const names = new Set([...options.defaults, ...(requested ?? [])]);
    const properties: Properties = {};
    for (const name of names) {
      const value = propertyOf(object, name);
      if (value !== undefined) properties[name] = value;
    }
    return {
      id: object.id,
      properties,
      createdAt: object.createdAt,
      updatedAt: object.updatedAt,
      archived: false,
      ...(associations
        ? {
            associations: {
              [options.association]: {
                results: object.associated.map((id) => ({ id, type: options.associationType })),
              },
            },
          }
        : {}),
    };
  };
  const list = (query: URLSearchParams) => query.get('properties')?.split(',').filter(Boolean);
  const wantsAssociations = (query: URLSearchParams) =>
    (query.get('associations') ?? '').split(',').includes(options.association);
  /** One page; `link` is the next page's URL (HubSpot gives an absolute one for lists). */
  const page = (
    items: CrmObject[],
    offset: number,
    limit: number,
    link: (after: string) => string,
    render: (o: CrmObject) => unknown,
  ) => {
    const next = offset + limit < items.length ? String(offset + limit) : undefined;
    return {
      results: items.slice(offset, offset + limit).map(render),
      ...(next ? { paging: { next: { after: next, link: link(next) } } } : {}),
    };
  };
  const badAfter = () =>
    hubspotError(400, 'VALIDATION_ERROR', 'after must be the paging.next.after of a previous page');
  return [
    {
      method: 'GET',
      path: base,
      operation: `${type}.list`,
      handle: ({ query, headers }) => {
        const limit = intParam(query, 'limit', 10, 100);
        if (typeof limit !== 'number')
          return hubspotError(400, 'VALIDATION_ERROR', 'limit must be 1-100');
        const offset = offsetParam(query.get('after'));
        if (Number.isNaN(offset)) return badAfter();
        const link = (after: string) => {
          const next = new URLSearchParams(query);
          next.set('after', after);
          return `http://${headers.host ?? 'localhost'}${base}?${next}`;
        };
        return {
          status: 200,
          body: page(objects(headers), offset, limit, link, (o) =>
            present(o, list(query), wantsAssociations(query)),
          ),
        };
      },
    },
    {
      method: 'GET',
      path: `${base}/{id}`,
      operation: `${type}.get`,
      handle: ({ params, query, headers }) => {
        const idProperty = query.get('idProperty');
        if (idProperty && !options.uniqueProperties.includes(idProperty)) {
          return hubspotError(
            400,
            'VALIDATION_ERROR',
            `Property ${idProperty} is not a unique identifier property`,
          );
        }
        const id = params.id ?? '';
        const object = idProperty
          ? objects(headers).find((o) => propertyOf(o, idProperty) === id)
          : byId(headers).get(id);
        if (!object) return hubspotError(404, 'OBJECT_NOT_FOUND', `resource not found: ${id}`);
        return { status: 200, body: present(object, list(query), wantsAssociations(query)) };
      },
    },
    {
      method: 'POST',
      path: `${base}/search`,
      operation: `${type}.search`,
      handle: ({ body, headers }) => {
        const parsed = searchBody.safeParse(body ?? {});
        if (!parsed.success)
          return hubspotError(
            400,
            'VALIDATION_ERROR',
            `Invalid search: ${parsed.error.issues[0]?.path.join('.')}`,
          );
        const search = parsed.data;
        const text = search.query?.trim().toLowerCase();
        let items = objects(headers).filter((object) => {
          const groups = search.filterGroups ?? [];
          const byFilters =
            groups.length === 0 ||
            groups.some((group) => group.filters.every((filter) => matchesFilter(object, filter)));
          const byText =
            !text ||
            options.textFields.some((field) => object.all[field]?.toLowerCase().includes(text));
          return byFilters && byText;
        });
        for (const sort of [...(search.sorts ?? [])].reverse()) {
          const direction = sort.direction === 'ASCENDING' ? 1 : -1;
          items = [...items].sort(
            (a, b) =>
              direction *
              compareValues(
                propertyOf(a, sort.propertyName) ?? '',
                propertyOf(b, sort.propertyName) ?? '',
              ),
          );
        }
        const offset = offsetParam(search.after);
        if (Number.isNaN(offset)) return badAfter();
        const limit = search.limit ?? 10;
        return {
          status: 200,
          body: {
            total: items.length,
            ...page(
              items,
              offset,
              limit,
              (after) => `?after=${after}`,
              (o) => present(o, search.properties, false),
            ),
          },
        };
      },
    },
    {
      method: 'POST',
      path: `${base}/batch/read`,
      operation: `${type}.batchRead`,
      handle: ({ body, headers }) => {
        const parsed = z
          .object({
            inputs: z.array(z.object({ id: z.string() })).max(100),
            properties: z.array(z.string()).optional(),
          })
          .safeParse(body);
        if (!parsed.success)
          return hubspotError(400, 'VALIDATION_ERROR', 'inputs must be a list of at most 100 {id}');
        const index = byId(headers);
        const startedAt = new Date().toISOString();
        const results = parsed.data.inputs.flatMap(({ id }) => {
          const object = index.get(id);
          return object ? [present(object, parsed.data.properties, false)] : [];
        });
        return {
          status: 200,
          body: { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() },
        };
      },
    },
  ];
}

/**
 * The CRM sandbox: HubSpot CRM v3 objects (companies and contacts) over the seed data, with a
 * private-app bearer token that sees everything, and per-user OAuth tokens (local/sandboxes/
 * crm-oauth.ts) that see only the records their user owns. Its changes are announced by HubSpot v3 webhooks once a target is set
 * (`setWebhooks`).
 */
export function startCrmSandbox(options: {
  port?: number;
  host?: string;
  credentials: { token: string };
}): Promise<RunningSandbox> {
  const seed = getSeed();
  const companiesById = new Map(seed.companies.map((company) => [company.crmId, company]));
  const companies = seed.companies.map(companyObject);
  const ownerOf = new Map(companies.map((company) => [company.id, company.owner]));
  const contacts = seed.contacts.map((contact) =>
    contactObject(
      contact,
      companiesById.get(contact.companyCrmId),
      ownerOf.get(contact.companyCrmId),
    ),
  );
  const oauth = crmOAuth({ serviceToken: options.credentials.token });
  const webhooks = webhookOutbox();
  return startSandbox(
    {
      name: 'crm',
      requestIdHeader: 'x-hubspot-correlation-id',
      webhooks,
      routes: [
        ...crmWriteRoutes(contacts, hubspotWebhooks(webhooks), oauth.principalOf),
        ...oauth.routes,
        ...objectRoutes('companies', () => companies, oauth.principalOf, {
          defaults: COMPANY_DEFAULTS,
          association: 'contacts',
          associationType: 'company_to_contact',
          textFields: ['name', 'domain', 'customer_number'],
          uniqueProperties: ['customer_number', 'hs_object_id', 'domain'],
        }),
        ...objectRoutes('contacts', () => contacts, oauth.principalOf, {
          defaults: CONTACT_DEFAULTS,
          association: 'companies',
          associationType: 'contact_to_company',
          textFields: ['firstname', 'lastname', 'email'],
          uniqueProperties: ['email', 'hs_object_id'],
        }),
      ],
      control: oauth.control,
      resolve: oauth.resolve,
      trust: oauth.trust,
      credentialOf(headers: IncomingHttpHeaders) {
        const principal = oauth.principalOf(headers);
        if (principal?.kind !== 'user') return principal?.kind;
        // `exchange:ana`: a token the identity provider exchanged; `user:ana`: the CRM's own.
        return `${principal.via === 'exchange' ? 'exchange' : 'user'}:${principal.owner.login}`;
      },
      authenticate(headers: IncomingHttpHeaders) {
        if (oauth.principalOf(headers)) return undefined;
        return hubspotError(
          401,
          'INVALID_AUTHENTICATION',
          'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        );
      },
      errorReply: (status, message) =>
        hubspotError(
          status,
          status === 404
            ? 'OBJECT_NOT_FOUND'
            : status === 429
              ? 'RATE_LIMITS'
              : status >= 500
                ? 'INTERNAL_ERROR'
                : 'VALIDATION_ERROR',
          message,
        ),
    },
    options,
  );
}

/** The CRM sandbox plays the registry's `crm`; its changes are signed as HubSpot's. */
export const crmSandbox = defineSystemSandbox({
  system: 'crm',
  label: 'CRM sandbox (HubSpot CRM v3 shape)',
  auth: 'bearer',
  demoCredentials: () => ({ token: `pat-local-${demoSecret(18)}` }),
  webhookSource: 'hubspot',
  oauthClientId: CRM_OAUTH_CLIENT_ID,
  start: startCrmSandbox,
});
