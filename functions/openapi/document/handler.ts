import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { openApiDocument } from '#layers/openapi/document.ts';
import { tools } from '#layers/tools/registry.ts';

let cached: { base: string; body: string } | undefined;

/** GET /openapi.json: no authentication; the document is built once per instance and host. */
export const handler = async (
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const host = event.headers?.host ?? event.requestContext.domainName;
  const proto =
    event.headers?.['x-forwarded-proto'] ?? (/^(127\.|localhost)/.test(host) ? 'http' : 'https');
  const base = process.env.PUBLIC_BASE_URL ?? `${proto}://${host}`;
  if (cached?.base !== base) cached = { base, body: JSON.stringify(openApiDocument(tools, base)) };
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/json',
      'x-request-id': event.requestContext.requestId,
      'cache-control': 'max-age=300',
    },
    body: cached.body,
  };
};
