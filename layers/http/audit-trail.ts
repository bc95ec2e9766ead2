import type { CallAuditor, CallEffect } from '../audit/audit-policy.ts';
import { redact } from '../audit/redact.ts';
import { header } from '../http-util/api-gateway.ts';
import { errorResponse } from './error-envelope.ts';
import type { GatewayMiddleware, GatewayRequest } from './types.ts';

const MAX_REASON_LENGTH = 500;
const MAX_NAME_LENGTH = 128;

/**
 * Writes one audit record per call (who, tool, redacted input, why, outcome and, when refused, the
 * reason given), after the response is decided. A successful call whose record cannot be written
 * is answered with the auditor's refusal instead (writes always; reads unless the deployment
 * chose `open`). A failed call's error comes from `context.gateway.error`, where the error
 * envelope puts it: `.use()` this before the error envelope, so that Middy runs its `onError`
 * after the envelope's (see gatewayHandler).
 */
export function auditTrail(options: {
  auditor: CallAuditor;
  /** The tool the caller asked for, read from the request, recorded even when it was refused. */
  subject?: (request: GatewayRequest) => string | undefined;
}): GatewayMiddleware {
  const write = async (request: GatewayRequest) => {
    const state = request.context.gateway;
    if (!state || state.audited) return undefined;
    const status = request.response?.statusCode ?? 500;
    const reason = header(request.event, 'x-agent-reason')?.slice(0, MAX_REASON_LENGTH);
    const conversationId = header(request.event, 'x-conversation-id')?.slice(0, 200);
    const refusal = status >= 400 ? state.error : undefined;
    const effect: CallEffect =
      request.event.requestContext?.http?.method === 'GET' ? 'read' : 'write';
    return options.auditor.record(
      {
        requestId: state.requestId,
        at: new Date(),
        sub: state.caller?.sub ?? 'anonymous',
        roles: state.caller?.roles ?? [],
        ...(state.caller?.clientId ? { clientId: state.caller.clientId.slice(0, 200) } : {}),
        tool:
          options.subject?.(request)?.slice(0, MAX_NAME_LENGTH) ??
          request.event.routeKey ??
          'unknown',
        ...(state.input === undefined ? {} : { input: redact(state.input, []) }),
        ...(reason ? { reason } : {}),
        ...(conversationId ? { conversationId } : {}),
        outcome: status < 400 ? 'success' : 'error',
        statusCode: status,
        ...(status >= 400 ? { errorCode: refusal?.code ?? 'internal_error' } : {}),
        ...(refusal ? { errorMessage: refusal.message } : {}),
        durationMs: Math.round(performance.now() - state.startedAt),
      },
      effect,
    );
  };
  const after = async (request: GatewayRequest) => {
    const refused = await write(request);
    if (refused) {
      request.context.gateway.error = refused;
      request.response = errorResponse(refused);
    }
  };
  const onError = async (request: GatewayRequest) => {
    await write(request);
  };
  return { after, onError };
}
