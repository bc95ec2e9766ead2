import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** GET /health: no authentication, no dependencies; says the gateway answers. */
export const handler = async (
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'x-request-id': event.requestContext?.requestId ?? randomUUID(),
  },
  body: JSON.stringify({ status: 'ok' }),
});
