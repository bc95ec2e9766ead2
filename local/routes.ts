/** The functions local mode serves, by the name of their handler module's area. */
export type LocalFunction =
  | 'health'
  | 'catalog'
  | 'tools'
  | 'confirmations'
  | 'operations'
  | 'mcp'
  | 'openapi'
  | 'admin'
  | 'webhooks';

/**
 * The routes of the deployed HTTP API (infra/stacks/api-stack.ts), each to the function that
 * serves it. Tests hold the OpenAPI document to this table and to the CDK stack's routes.
 *
 * @example
 * localRoutes.find(({ path }) => path === '/health'); // { method: 'GET', path: '/health', functionName: 'health' }
 */
export const localRoutes: readonly { method: string; path: string; functionName: LocalFunction }[] =
  (
    [
      ['GET', '/health', 'health'],
      ['GET', '/tools', 'catalog'],
      ['GET', '/tools/{name}', 'catalog'],
      ['POST', '/tools/{name}', 'tools'],
      ['POST', '/confirmations/{id}', 'confirmations'],
      ['DELETE', '/confirmations/{id}', 'confirmations'],
      ['GET', '/operations/{id}', 'operations'],
      ['POST', '/mcp', 'mcp'],
      ['GET', '/mcp', 'mcp'],
      ['DELETE', '/mcp', 'mcp'],
      ['GET', '/.well-known/oauth-protected-resource', 'mcp'],
      ['GET', '/openapi.json', 'openapi'],
      ['GET', '/admin/switches', 'admin'],
      ['PUT', '/admin/switches/{kind}/{name}', 'admin'],
      ['POST', '/admin/cache/{tool}/invalidate', 'admin'],
      ['POST', '/webhooks/{source}', 'webhooks'],
    ] as const
  ).map(([method, path, functionName]) => ({ method, path, functionName }));
