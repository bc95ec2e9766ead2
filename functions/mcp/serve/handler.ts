import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { protectedResourceMetadata, serveMcp } from './serve-mcp.ts';

const deps = buildDependencies(process.env);
const mcpDeps = {
  registry: deps.registry,
  policy: deps.policy,
  runner: deps.runner,
  proposals: deps.proposals,
  decisions: { registry: deps.registry, policy: deps.policy, writes: deps.writes },
  auditor: deps.auditor,
  logger: deps.logger,
  resolver: deps.resolver,
  listing: deps.env.MCP_TOOL_LISTING,
  pinned: deps.env.MCP_PINNED_TOOLS.split(',')
    .map((name) => name.trim())
    .filter(Boolean),
  version: '0.1.0',
  issuer: deps.env.MCP_AUTHORIZATION_SERVER ?? deps.env.JWT_ISSUER,
  allowedOrigins: deps.env.MCP_ALLOWED_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean),
  publicBaseUrl: deps.env.PUBLIC_BASE_URL,
};

const mcp = serveMcp(mcpDeps);
const metadata = protectedResourceMetadata(mcpDeps);

/** POST /mcp (GET and DELETE → 405) and GET /.well-known/oauth-protected-resource. */
export const handler = (event: APIGatewayProxyEventV2) =>
  event.rawPath.endsWith('/.well-known/oauth-protected-resource') ? metadata(event) : mcp(event);
