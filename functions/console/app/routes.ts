/**
 * The console's addresses. Every page is a path under /console/ that the console function answers
 * with index.html, so each can be opened directly: an `approveUrl` is `/console/approvals/<id>`.
 */
export const paths = {
  home: '/console/',
  approvals: '/console/approvals',
  approval: (id: string) => `/console/approvals/${encodeURIComponent(id)}`,
  callback: '/console/callback',
} as const;

/**
 * The sections of the console, in the order of its navigation. The operators' and auditors' pages
 * (Operations, Audit, Systems, Webhooks) are added here with their page in `pageFor`.
 */
export const sections = [{ id: 'approvals', label: 'Approvals', path: paths.approvals }] as const;
export type SectionId = (typeof sections)[number]['id'];

export type Route =
  | { page: 'approvals' }
  | { page: 'approval'; id: string }
  | { page: 'not-found'; path: string };

/** The section a route belongs to, for the navigation's current item. */
export const sectionOf = (route: Route): SectionId | undefined =>
  route.page === 'approvals' || route.page === 'approval' ? 'approvals' : undefined;

/**
 * The page of a path.
 *
 * @example
 * routeOf('/console/approvals/cf_1'); // { page: 'approval', id: 'cf_1' }
 */
export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/console' || path === paths.approvals) return { page: 'approvals' };
  const approval = /^\/console\/approvals\/([^/]+)$/.exec(path);
  if (approval?.[1]) {
    try {
      return { page: 'approval', id: decodeURIComponent(approval[1]) };
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
