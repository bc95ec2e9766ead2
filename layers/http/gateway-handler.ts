import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { CallAuditor } from '../audit/audit-policy.ts';
import type { CallerResolver } from '../auth/jwt-verifier.ts';
import type { HttpEvent, HttpResult } from '../http-util/api-gateway.ts';
import { tracing } from '../observability/tracer.ts';
import { auditTrail } from './audit-trail.ts';
import { authenticate } from './authenticate.ts';
import { errorEnvelope } from './error-envelope.ts';
import { requestContext } from './request-context.ts';
import type { GatewayContext, GatewayRequest } from './types.ts';

/** What the shared chain needs; the composition root passes its gateway dependencies. */
export interface GatewayHandlerDeps {
  logger: Pick<Logger, 'setCorrelationId' | 'resetKeys' | 'error' | 'warn'>;
  auditor: CallAuditor;
  resolver: CallerResolver;
}

export type GatewayLogic = (event: HttpEvent, context: GatewayContext) => Promise<HttpResult>;

/**
 * The middleware chain every authenticated route shares: request id and correlation, audit,
 * error envelope, header normalisation and authentication. A route that reads a body adds
 * `.use(jsonBody())`; authorization and input validation happen in the tool-call core, inside the
 * route's logic.
 *
 * @example
 * export const handler = gatewayHandler(deps, killSwitchAdmin(deps)).use(jsonBody());
 */
export function gatewayHandler(
  deps: GatewayHandlerDeps,
  logic: GatewayLogic,
  options: { auditSubject?: (request: GatewayRequest) => string | undefined } = {},
) {
  // The order is a contract. Middy runs `before` in this order and `after` and `onError` in the
  // reverse one, and runs every onError here (none returns a value). So on the way in, the request
  // id exists before anything can fail and header names are lower-cased before authentication
  // reads them. On the way out, errorEnvelope turns an error into its answer and puts the AppError
  // on context.gateway.error; then auditTrail records the outcome from the response's status and
  // that context, and answers its own refusal instead of a success; requestContext adds
  // X-Request-Id last, to whatever was answered. A route's own `.use()` comes after all of these.
  // The tracer, when on, comes first, so its onError runs last: a traced call answered with an
  // error still has that error on its handler subsegment.
  return middy<HttpEvent, HttpResult, Error, GatewayContext>(logic)
    .use(tracing ? [tracing] : [])
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
