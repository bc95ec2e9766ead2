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

/**
 * Served route keys (`METHOD /path`) as the OpenAPI document names them, sorted and unique: the
 * generic `POST /tools/{name}` is documented once per tool, as `POST /tools/<tool>`.
 */
export function asDocumented(routeKeys: readonly string[], toolNames: readonly string[]): string[] {
  const keys = routeKeys.flatMap((key) =>
    key === 'POST /tools/{name}' ? toolNames.map((name) => `POST /tools/${name}`) : [key],
  );
  return [...new Set(keys)].sort();
}
