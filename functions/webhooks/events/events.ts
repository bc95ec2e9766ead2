import * as z from 'zod';
import type { Policy } from '#layers/auth/policy.ts';
import { ForbiddenError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { listQueryFields, parseListQuery } from '#layers/http-util/list-query.ts';
import { json } from '#layers/http-util/respond.ts';
import type { DeliveryLog } from '#layers/webhooks/delivery-log.ts';
import { webhookSources } from '#layers/webhooks/sources.ts';

const eventsQuery = z.strictObject({
  ...listQueryFields,
  source: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/, 'Must be a source id such as stripe or hubspot')
    .optional(),
  outcome: z.enum(['accepted', 'duplicate', 'refused']).optional(),
});

/**
 * GET /webhooks/events: the delivery log, newest first, filtered by source, outcome and time (each
 * combination one Query), with every configured source's last 24 hours (counts, last event, usual
 * gap, quiet). For the roles that watch the gateway: admin, approver and auditor.
 */
export function listWebhookEvents(deps: {
  policy: Policy;
  log: Pick<DeliveryLog, 'list' | 'activity'>;
}): GatewayLogic {
  const allowed = [deps.policy.adminRole, deps.policy.approverRole, deps.policy.auditorRole];
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller?.roles.some((role) => allowed.includes(role))) {
      throw new ForbiddenError(
        `The webhook event log needs one of the roles ${allowed.join(', ')}; you have ${caller?.roles.join(', ') || 'none'}.`,
      );
    }
    const query = parseListQuery(eventsQuery, event.queryStringParameters);
    const [page, sources] = await Promise.all([
      deps.log.list(query, { limit: query.limit, cursor: query.cursor }),
      deps.log.activity(webhookSources.map((source) => source.id)),
    ]);
    return json(200, {
      events: page.records,
      ...(page.cursor ? { cursor: page.cursor } : {}),
      sources,
    });
  };
}
