import { type FunctionEntry, functions } from '#functions/manifest.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** `METHOD /path` of every operation an OpenAPI document describes, sorted. */
export function documentedRoutes(doc: {
  paths: Record<string, Record<string, unknown>>;
}): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

/** The web console's routes: pages for people, not the API that the OpenAPI document describes. */
const consoleRoutes = new Set(
  (functions as readonly FunctionEntry[])
    .filter((fn) => fn.open?.group === 'console')
    .flatMap((fn) => (fn.routes ?? []).map((route) => `${route.method} ${route.path}`)),
);

/**
 * Served route keys (`METHOD /path`) as the OpenAPI document names them, sorted and unique: the
 * generic `POST /tools/{name}` is documented once per tool, as `POST /tools/<tool>`, and the
 * console's pages not at all.
 */
export function asDocumented(routeKeys: readonly string[], toolNames: readonly string[]): string[] {
  const keys = routeKeys
    .filter((key) => !consoleRoutes.has(key))
    .flatMap((key) =>
      key === 'POST /tools/{name}' ? toolNames.map((name) => `POST /tools/${name}`) : [key],
    );
  return [...new Set(keys)].sort();
}
