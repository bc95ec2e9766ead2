import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { webhookReceiveRole } from '#layers/composition/roles.ts';
import { errorEnvelope } from '#layers/http/error-envelope.ts';
import { requestContext } from '#layers/http/request-context.ts';
import type { GatewayContext } from '#layers/http/types.ts';
import type { HttpEvent, HttpResult } from '#layers/http-util/api-gateway.ts';
import { receiveWebhook } from '#layers/webhooks/receive.ts';

const deps = webhookReceiveRole(process.env);

/**
 * POST /webhooks/{source}: no bearer token (senders sign instead); request id, error envelope and
 * lower-cased header names, as every route.
 */
export const handler = middy<HttpEvent, HttpResult, Error, GatewayContext>(receiveWebhook(deps))
  .use(requestContext({ logger: deps.logger }))
  .use(errorEnvelope({ logger: deps.logger }))
  .use(httpHeaderNormalizer());
