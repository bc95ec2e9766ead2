import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { GatewayDependencies } from '../runtime/dependencies.ts';
import { auditTrail } from './audit-trail.ts';
import { authenticate } from './authenticate.ts';
import { errorEnvelope } from './error-envelope.ts';
import { requestContext } from './request-context.ts';
import type { GatewayContext, GatewayRequest, HttpEvent, HttpResult } from './types.ts';

export type GatewayLogic = (event: HttpEvent, context: GatewayContext) => Promise<HttpResult>;

/**
 * The middleware chain every authenticated route shares: request id and correlation, audit,
 * error envelope, header normalisation and authentication. Routes add their own (body, tool
 * authorisation, validation) through `extra`.
 *
 * @example
 * export const handler = gatewayHandler(deps, listTools(deps)).use(...)
 */
export function gatewayHandler(
  deps: Pick<GatewayDependencies, 'logger' | 'auditor' | 'resolver'>,
  logic: GatewayLogic,
  options: { auditSubject?: (request: GatewayRequest) => string | undefined } = {},
) {
  return middy<HttpEvent, HttpResult, Error, GatewayContext>(logic)
    .use(requestContext({ logger: deps.logger }))
    .use(
      auditTrail({
        auditor: deps.auditor,
        ...(options.auditSubject ? { subject: options.auditSubject } : {}),
      }),
    )
    .use(errorEnvelope({ logger: deps.logger }))
    .use(httpHeaderNormalizer())
    .use(authenticate({ resolver: deps.resolver }));
}
