import { callTool as callToolCore, type ToolCallDeps } from '#layers/core/tool-call.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import {
  bearerTokenOf,
  type HttpEvent,
  header,
  requestBaseUrl,
} from '#layers/http-util/api-gateway.ts';
import { json } from '#layers/http-util/respond.ts';

/**
 * The tool a call names. Each tool has its own route (`POST /tools/get_customer`, functions/manifest.ts),
 * so the name is in the route key; `POST /tools/{name}` carries it as a path parameter.
 */
export const toolNameOf = (event: HttpEvent): string =>
  event.pathParameters?.name ?? event.routeKey.replace(/^POST \/tools\//, '');

/**
 * POST /tools/{name}, the REST edge of the tool-call core: a read tool answers `200 { data, meta }`;
 * a write tool is only proposed and answers `202 { confirmation }`: nothing is written upstream.
 * The core authorizes, validates, admits, runs or proposes, and writes the audit record.
 */
export function callTool(
  deps: ToolCallDeps & { publicBaseUrl?: string | undefined },
): GatewayLogic {
  return async (event, context) => {
    const { caller, requestId } = context.gateway;
    if (!caller) throw new Error('callTool ran without an authenticated caller');
    // From here on the core keeps the call's one audit record.
    context.gateway.audited = true;
    const outcome = await callToolCore(deps, caller, toolNameOf(event), event.body, {
      requestId,
      reason: header(event, 'x-agent-reason'),
      conversationId: header(event, 'x-conversation-id'),
      idempotencyKey: header(event, 'idempotency-key'),
      baseUrl: requestBaseUrl(event, deps.publicBaseUrl),
      subjectToken: bearerTokenOf(event),
    });
    return outcome.kind === 'answer'
      ? json(200, outcome.result)
      : json(202, { confirmation: outcome.confirmation });
  };
}
