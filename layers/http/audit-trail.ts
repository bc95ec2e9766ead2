import type { Logger } from '@aws-lambda-powertools/logger';
import type { AuditRepository } from '../audit/audit-repository.ts';
import { redact } from '../audit/redact.ts';
import { type GatewayMiddleware, type GatewayRequest, header } from './types.ts';

const MAX_REASON_LENGTH = 500;

/**
 * Writes one audit record per call (who, tool, redacted input, why, outcome, duration), after the
 * response is decided. A failed audit write is logged as an error and does not fail a read.
 */
export function auditTrail(options: {
  repository: AuditRepository;
  logger: Pick<Logger, 'error'>;
  /** Name recorded when no tool was resolved, e.g. the route. */
  subject?: (request: GatewayRequest) => string;
}): GatewayMiddleware {
  const write = async (request: GatewayRequest) => {
    const state = request.context.gateway;
    if (!state) return;
    const status = request.response?.statusCode ?? 500;
    const tool = state.tool;
    const reason = header(request.event, 'x-agent-reason')?.slice(0, MAX_REASON_LENGTH);
    const conversationId = header(request.event, 'x-conversation-id')?.slice(0, 200);
    const errorCode = status >= 400 ? errorCodeOf(request) : undefined;
    try {
      await options.repository.put({
        requestId: state.requestId,
        at: new Date(),
        sub: state.caller?.sub ?? 'anonymous',
        roles: state.caller?.roles ?? [],
        tool: tool?.name ?? options.subject?.(request) ?? request.event.routeKey ?? 'unknown',
        ...(state.input === undefined ? {} : { input: redact(state.input, tool?.redact ?? []) }),
        ...(reason ? { reason } : {}),
        ...(conversationId ? { conversationId } : {}),
        outcome: status < 400 ? 'success' : 'error',
        statusCode: status,
        ...(errorCode ? { errorCode } : {}),
        durationMs: Math.round(performance.now() - state.startedAt),
      });
    } catch (error) {
      options.logger.error('audit write failed', { error, requestId: state.requestId });
    }
  };
  return { after: write, onError: write };
}

function errorCodeOf(request: GatewayRequest): string | undefined {
  try {
    const body = JSON.parse(String(request.response?.body ?? '{}')) as {
      error?: { code?: string };
    };
    return body.error?.code;
  } catch {
    return undefined;
  }
}
