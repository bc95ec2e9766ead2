import { defineSystem, type SystemDefinition } from '../connectors/system-definition.ts';
import { declarationFiles } from './declared/index.ts';
import { asSystemDefinition, loadDeclaredSystems } from './declared-systems.ts';

/**
 * CRM with the HubSpot CRM v3 objects API shape; private-app bearer token, or each user's own
 * OAuth token (owner-based visibility) where the deployment sets `SYSTEM_CRM_CREDENTIAL=user`.
 */
export const crm = defineSystem({
  id: 'crm',
  displayName: 'CRM (HubSpot-compatible)',
  apiShape: 'HubSpot CRM v3 objects',
  auth: { type: 'bearer' },
  userAuth: {
    type: 'oauth2_authorization_code',
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/v1/token',
    revokePath: '/oauth/v1/revoke',
    scope: 'crm.objects.companies.read crm.objects.contacts.read',
  },
  pagination: { style: 'hubspot_after', maxPageSize: 100 },
  // HubSpot private apps: 100 requests per 10 seconds.
  rateLimit: { requests: 100, perSeconds: 10 },
  requestIdHeaders: ['x-hubspot-correlation-id', 'x-request-id'],
});

/** ERP for customers' orders, products and inventory; OAuth2 client credentials. */
export const erp = defineSystem({
  id: 'erp',
  displayName: 'ERP',
  apiShape: 'ERP REST v1 (orders, products, inventory)',
  auth: { type: 'oauth2_client_credentials', tokenPath: '/oauth/token' },
  pagination: { style: 'next_cursor', maxPageSize: 100 },
  requestIdHeaders: ['x-request-id', 'x-amzn-requestid'],
});

/** Ticketing with the Zendesk Support tickets API shape; basic auth with `email/token`. */
export const ticketing = defineSystem({
  id: 'ticketing',
  displayName: 'Ticketing (Zendesk-compatible)',
  apiShape: 'Zendesk Support API v2',
  auth: { type: 'basic' },
  pagination: { style: 'zendesk_cursor', maxPageSize: 100 },
  requestIdHeaders: ['x-zendesk-request-id', 'x-request-id'],
});

/** Mail through a Microsoft Graph-shaped API (sendMail); OAuth2 client credentials like Entra ID. */
export const mail = defineSystem({
  id: 'mail',
  displayName: 'Mail (Microsoft Graph-compatible)',
  apiShape: 'Microsoft Graph v1.0 sendMail',
  auth: {
    type: 'oauth2_client_credentials',
    tokenPath: '/oauth2/v2.0/token',
    scope: 'https://graph.microsoft.com/.default',
  },
  pagination: { style: 'none' },
  // Graph answers its own `request-id`, and `client-request-id` echoes the client's.
  requestIdHeaders: ['request-id', 'client-request-id'],
});

/**
 * The logistics system's PostgreSQL database (shipments and delivery events of the ERP's orders),
 * fifteen years old and without an API: its tools read two clean views, read-only.
 */
export const logistics = defineSystem({
  id: 'logistics',
  displayName: 'Logistics database',
  apiShape: 'PostgreSQL (legacy schema, read through views)',
  auth: { type: 'basic' },
  pagination: { style: 'none' },
  database: { engine: 'postgres', views: ['shipment_tracking', 'delivery_exceptions'] },
});

/** The hand-written systems: their ids stay a literal union, so code naming one is type-checked. */
export const builtInSystems = [
  crm,
  erp,
  ticketing,
  mail,
  logistics,
] as const satisfies readonly SystemDefinition[];
export type SystemId = (typeof builtInSystems)[number]['id'];

/** Systems declared as data (layers/systems/declared/<id>/system.json), validated at load. */
export const declaredSystems = loadDeclaredSystems(declarationFiles);
for (const declared of declaredSystems)
  if (builtInSystems.some((system) => system.id === declared.id))
    throw new Error(
      `layers/systems/declared/${declared.id}: the system id "${declared.id}" is taken`,
    );

/** Every system: the hand-written ones, then the declared ones. */
export const systems: readonly SystemDefinition[] = [
  ...builtInSystems,
  ...declaredSystems.map(asSystemDefinition),
];

/** The base URL each declared system's spec names, by system id (a stage may override it). */
export const declaredBaseUrls: Readonly<Record<string, string>> = Object.fromEntries(
  declaredSystems.flatMap((system) => (system.baseUrl ? [[system.id, system.baseUrl]] : [])),
);

export function getSystem(id: string): SystemDefinition | undefined {
  return systems.find((system) => system.id === id);
}
