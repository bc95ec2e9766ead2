import { describe, expect, it } from 'vitest';
import { servedRoutes } from '#functions/manifest.ts';
import { openApiDocument } from '#layers/openapi/document.ts';
import { tools } from '#layers/tools/registry.ts';
import { asDocumented, documentedRoutes } from '#test/helpers/routes.ts';

describe('openApiDocument', () => {
  const doc = openApiDocument(tools, 'https://api.example.com') as {
    paths: Record<string, Record<string, unknown>>;
  };

  it('describes every route the gateway serves (functions/manifest.ts), and no other', () => {
    const served = servedRoutes(tools.map((tool) => tool.name)).map(
      ({ method, path }) => `${method} ${path}`,
    );
    expect(documentedRoutes(doc)).toEqual(
      asDocumented(
        served,
        tools.map((tool) => tool.name),
      ),
    );
  });

  it('asks no bearer token where the gateway asks none', () => {
    const open = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { security?: unknown[] }>)
        .filter(([, operation]) => operation.security?.length === 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(open.sort()).toEqual([
      'GET /.well-known/oauth-protected-resource',
      'GET /health',
      'GET /openapi.json',
      'POST /webhooks/{source}',
    ]);
  });
});
