import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mcpRole } from '#layers/composition/roles.ts';
import { protectedResourceMetadata, serveMcp } from './serve-mcp.ts';

const deps = { ...mcpRole(process.env), version: '0.1.0' };
const mcp = serveMcp(deps);
const metadata = protectedResourceMetadata(deps);

/** POST /mcp (GET and DELETE → 405) and GET /.well-known/oauth-protected-resource. */
export const handler = (event: APIGatewayProxyEventV2) =>
  event.rawPath.endsWith('/.well-known/oauth-protected-resource') ? metadata(event) : mcp(event);
