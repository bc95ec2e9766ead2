import * as z from 'zod';
import type { Policy } from '#layers/auth/policy.ts';
import { describeIssues } from '#layers/core/validate-input.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#layers/errors/index.ts';
import type { GatewayLogic } from '#layers/http/gateway-handler.ts';
import { json } from '#layers/http-util/respond.ts';
import type { KillSwitch, KillSwitches } from '#layers/resilience/kill-switches.ts';
import type { ResponseCache } from '#layers/resilience/response-cache.ts';
import { getSystem } from '#layers/systems/registry.ts';
import type { ToolRegistry } from '#layers/tools/tool-registry.ts';

const changeSchema = z
  .strictObject({
    enabled: z.boolean().describe('false switches it off, true back on.'),
    reason: z
      .string()
      .trim()
      .max(300)
      .default('')
      .describe('Why; shown to agents and kept in the audit trail.'),
  })
  .refine((change) => change.enabled || change.reason.length >= 3, {
    message: 'Say why it is switched off (reason, 3+ characters)',
    path: ['reason'],
  });

/** A switch as the README documents it for clients: who changed it and when are `by` and `at`. */
const switchView = ({ kind, name, enabled, reason, changedBy, changedAt }: KillSwitch) => ({
  kind,
  name,
  enabled,
  reason,
  by: changedBy,
  at: changedAt,
});

/**
 * GET /admin/switches and PUT /admin/switches/{kind}/{name}: an administrator switches a system
 * or a tool off and on at run time. Every change is audited (who, what, why).
 */
export function killSwitchAdmin(deps: {
  policy: Policy;
  registry: ToolRegistry;
  switches: () => KillSwitches;
  cache: () => Pick<ResponseCache, 'invalidate'>;
}): GatewayLogic {
  return async (event, context) => {
    const caller = context.gateway.caller;
    if (!caller?.roles.includes(deps.policy.adminRole)) {
      throw new ForbiddenError(
        `Switching systems and tools needs the ${deps.policy.adminRole} role.`,
      );
    }
    if (event.requestContext.http.method === 'GET')
      return json(200, { switches: (await deps.switches().list()).map(switchView) });
    if (event.rawPath.startsWith('/admin/cache/')) {
      const tool = deps.registry.get(event.pathParameters?.tool ?? '');
      if (tool?.risk !== 'read' || !tool.cache) {
        throw new NotFoundError(
          'cache_not_found',
          `There is no cached tool "${event.pathParameters?.tool}". Cached tools declare cache in their definition.`,
        );
      }
      context.gateway.input = { invalidate: tool.name };
      return json(200, {
        invalidated: tool.name,
        generation: await deps.cache().invalidate(tool.name),
      });
    }
    const kind = event.pathParameters?.kind ?? '';
    const name = event.pathParameters?.name ?? '';
    if (kind !== 'system' && kind !== 'tool')
      throw new NotFoundError(
        'switch_not_found',
        'Switches are /admin/switches/system/{id} or /admin/switches/tool/{name}.',
      );
    if ((kind === 'system' && !getSystem(name)) || (kind === 'tool' && !deps.registry.get(name))) {
      throw new NotFoundError('switch_not_found', `There is no ${kind} named "${name}".`);
    }
    const parsed = changeSchema.safeParse(event.body ?? {}, { reportInput: true });
    if (!parsed.success) {
      throw new ValidationError('The switch change is invalid. Fix the listed fields.', {
        issues: describeIssues(parsed.error),
      });
    }
    const change = {
      kind,
      name,
      enabled: parsed.data.enabled,
      reason: parsed.data.reason,
      changedBy: caller.sub,
      changedAt: new Date().toISOString(),
    } as const;
    context.gateway.input = { kind, name, enabled: change.enabled, reason: change.reason };
    await deps.switches().set(change);
    return json(200, { switch: switchView(change) });
  };
}
