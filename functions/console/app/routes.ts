import { roleNames } from './roles.ts';

/**
 * The console's addresses. Every page is a path under /console/ that the console function answers
 * with index.html, so each can be opened directly: an `approveUrl` is `/console/approvals/<id>`.
 * A list's filters are the page's query string, so a search can be bookmarked and shared.
 */
export const paths = {
  home: '/console/',
  approvals: '/console/approvals',
  approval: (id: string) => `/console/approvals/${encodeURIComponent(id)}`,
  operations: '/console/operations',
  operation: (id: string) => `/console/operations/${encodeURIComponent(id)}`,
  audit: '/console/audit',
  auditRecord: (id: string) => `/console/audit/${encodeURIComponent(id)}`,
  conversation: (conversationId: string) =>
    `/console/audit?${new URLSearchParams({ conversationId })}`,
  systems: '/console/systems',
  webhooks: '/console/webhooks',
  connections: '/console/connections',
  callback: '/console/callback',
} as const;

/**
 * The sections of the console, in the order of its navigation. `roles`: any one of them opens the
 * section (the API answers 403 to the others); none listed, every signed-in person may.
 */
export const sections = [
  { id: 'approvals', label: 'Approvals', path: paths.approvals, roles: [] },
  { id: 'operations', label: 'Operations', path: paths.operations, roles: [] },
  { id: 'audit', label: 'Audit', path: paths.audit, roles: [] },
  { id: 'systems', label: 'Systems', path: paths.systems, roles: [] },
  {
    id: 'webhooks',
    label: 'Webhooks',
    path: paths.webhooks,
    roles: [roleNames.admin, roleNames.approver, roleNames.auditor],
  },
  { id: 'connections', label: 'Connections', path: paths.connections, roles: [] },
] as const satisfies readonly {
  id: string;
  label: string;
  path: string;
  roles: readonly string[];
}[];
export type SectionId = (typeof sections)[number]['id'];
export type Section = (typeof sections)[number];

/** The roles, any of which opens a section; empty when every signed-in person may. */
export const rolesFor = (id: SectionId): readonly string[] =>
  sections.find((section) => section.id === id)?.roles ?? [];

/** Whether a person with these roles may open the section. */
export const mayOpen = (id: SectionId, roles: readonly string[]): boolean => {
  const needed = rolesFor(id);
  return needed.length === 0 || needed.some((role) => roles.includes(role));
};

/**
 * The sections the navigation links to for a person with these roles.
 *
 * @example
 * visibleSections(['sales']).map((s) => s.label); // ['Approvals', 'Operations', 'Audit', 'Systems']
 */
export const visibleSections = (roles: readonly string[]): Section[] =>
  sections.filter((section) => mayOpen(section.id, roles));

export type Route =
  | { page: 'approvals' }
  | { page: 'approval'; id: string }
  | { page: 'operations' }
  | { page: 'operation'; id: string }
  | { page: 'audit' }
  | { page: 'audit-record'; id: string }
  | { page: 'systems' }
  | { page: 'webhooks' }
  | { page: 'connections' }
  | { page: 'not-found'; path: string };

/** The section a route belongs to, for the navigation's current item and the page's roles. */
export function sectionOf(route: Route): SectionId | undefined {
  switch (route.page) {
    case 'approvals':
    case 'approval':
      return 'approvals';
    case 'operations':
    case 'operation':
      return 'operations';
    case 'audit':
    case 'audit-record':
      return 'audit';
    case 'systems':
      return 'systems';
    case 'webhooks':
      return 'webhooks';
    case 'connections':
      return 'connections';
    case 'not-found':
      return undefined;
  }
}

/** Pages with an id in the path: `/console/<prefix>/<id>`. */
const withId = { approvals: 'approval', operations: 'operation', audit: 'audit-record' } as const;
/** Pages without one. */
const lists: Readonly<Record<string, Route>> = {
  '/console': { page: 'approvals' },
  [paths.approvals]: { page: 'approvals' },
  [paths.operations]: { page: 'operations' },
  [paths.audit]: { page: 'audit' },
  [paths.systems]: { page: 'systems' },
  [paths.webhooks]: { page: 'webhooks' },
  [paths.connections]: { page: 'connections' },
};

/**
 * The page of a path.
 *
 * @example
 * routeOf('/console/approvals/cf_1'); // { page: 'approval', id: 'cf_1' }
 */
export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  const list = Object.hasOwn(lists, path) ? lists[path] : undefined;
  if (list) return list;
  const match = /^\/console\/(approvals|operations|audit)\/([^/]+)$/.exec(path);
  const prefix = match?.[1] as keyof typeof withId | undefined;
  if (prefix && match?.[2]) {
    try {
      return { page: withId[prefix], id: decodeURIComponent(match[2]) };
    } catch {
      return { page: 'not-found', path: pathname };
    }
  }
  return { page: 'not-found', path: pathname };
}

/**
 * A path to return to after sign-in: only a console path on this origin, never another site
 * (`//evil.example`) nor the callback itself.
 */
export function sameConsolePath(target: string | undefined): string {
  if (!target?.startsWith('/console') || target.startsWith('//')) return paths.home;
  if (target.startsWith(paths.callback)) return paths.home;
  return target;
}
