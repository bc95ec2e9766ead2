import * as z from 'zod';
import type { Policy } from '#layers/auth/policy.ts';
import { ForbiddenError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { decodeCursor, encodeCursor, parseListQuery } from '#layers/http/list-query.ts';
import { json } from '#layers/http-util/respond.ts';
import { type DeliveryLog, webhookLogIndex } from '#layers/webhooks/delivery-log.ts';
import { webhookSources } from '#layers/webhooks/sources.ts';

/**
 * The role that reads the whole audit trail (issue 13). Until the policy names it
 * (`policy.auditorRole`), it is this name.
 */
const AUDITOR_ROLE = 'auditor';

const filters = {
  source: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/, 'Must be a source id such as stripe or hubspot')
    .optional(),
  outcome: z.enum(['accepted', 'duplicate', 'refused']).optional(),
};

/** The item keys a page of the log ends on: the table's and its index's. */
const cursorKeys = ['pk', webhookLogIndex.partitionKey, webhookLogIndex.sortKey];

/**
 * GET /webhooks/events: the delivery log, newest first, filtered by source, outcome and time (each
 * combination one Query), with every configured source's last 24 hours (counts, last event, usual
 * gap, quiet). For the roles that watch the gateway: admin, approver and auditor.
 */
export function listWebhookEvents(deps: {
  policy: Policy;
  log: Pick<DeliveryLog, 'list' | 'activity'>;
}): GatewayLogic {
  const allowed = [deps.policy.adminRole, deps.policy.approverRole, AUDITOR_ROLE];
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller?.roles.some((role) => allowed.includes(role))) {
      throw new ForbiddenError(
        `The webhook event log needs one of the roles ${allowed.join(', ')}; you have ${caller?.roles.join(', ') || 'none'}.`,
      );
    }
    const query = parseListQuery(event.queryStringParameters, filters);
    const startKey = query.cursor ? decodeCursor(query.cursor, query, cursorKeys) : undefined;
    const [page, sources] = await Promise.all([
      deps.log.list(query, query.limit, startKey),
      deps.log.activity(webhookSources.map((source) => source.id)),
    ]);
    return json(200, {
      events: page.records,
      ...(page.lastKey ? { cursor: encodeCursor(page.lastKey, query) } : {}),
      sources,
    });
  };
}
