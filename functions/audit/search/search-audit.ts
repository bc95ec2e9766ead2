import * as z from 'zod';
import type { AuditSearch } from '#layers/audit/audit-search.ts';
import { mayReadAllAudit, type Policy } from '#layers/auth/policy.ts';
import { ForbiddenError, NotFoundError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { listQueryFields, parseListQuery } from '#layers/http-util/list-query.ts';
import { json } from '#layers/http-util/respond.ts';

const text = (max: number) => z.string().min(1).max(max).optional();

const searchQuery = z.strictObject({
  ...listQueryFields,
  sub: text(256),
  tool: text(128),
  outcome: z.enum(['success', 'error']).optional(),
  conversationId: text(200),
  requestId: text(200),
  order: z.enum(['asc', 'desc']).optional(),
});

/**
 * GET /audit: audit records by caller (`sub`), tool, outcome, conversation, request id and time,
 * newest first (a conversation oldest first), a page at a time. GET /audit/{auditId}: one record.
 * Auditors read everyone's records; everyone else their own (another `sub`: 403; another's
 * record: 404, as if it did not exist).
 */
export function searchAudit(deps: {
  policy: Policy;
  search: Pick<AuditSearch, 'search' | 'get'>;
}): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller) throw new Error('searchAudit ran without a caller');
    const everyone = mayReadAllAudit(deps.policy, caller);
    const auditId = event.pathParameters?.auditId;
    if (auditId !== undefined) {
      const record = await deps.search.get(auditId);
      if (!record || (!everyone && record.sub !== caller.sub)) {
        throw new NotFoundError(
          'audit_record_not_found',
          `There is no audit record ${auditId.slice(0, 100)} you may read. GET /audit lists the records you may read.`,
        );
      }
      return json(200, { record });
    }
    const query = parseListQuery(searchQuery, event.queryStringParameters);
    if (!everyone && query.sub !== undefined && query.sub !== caller.sub) {
      throw new ForbiddenError(
        `Only users with the ${deps.policy.auditorRole} role read other users' audit records. Leave out sub to search your own.`,
      );
    }
    const { limit, cursor, ...filters } = query;
    const page = await deps.search.search(
      { ...filters, ...(everyone ? {} : { sub: caller.sub }) },
      { limit, cursor },
    );
    return json(200, page);
  };
}
