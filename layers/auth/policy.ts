import * as z from 'zod';
import type { Caller } from '../tools/define.ts';

export const policySchema = z.object({
  /** Changes whenever the grants change; recorded with confirmations and audit records. */
  version: z.string().min(1),
  /** Role name → grants. A grant is a tool name, `risk:read`, `risk:write`, `system:<id>` or `*`. */
  roles: z.record(z.string(), z.object({ description: z.string(), grants: z.array(z.string()) })),
});
export type Policy = z.output<typeof policySchema>;

/** The subset of a tool the policy looks at. */
export interface PolicySubject {
  name: string;
  risk: 'read' | 'write';
  systems: readonly string[];
}

/**
 * Who may see and call which tool, as data. A caller may use a tool when any of their roles holds a
 * grant that matches it.
 */
export const defaultPolicy: Policy = policySchema.parse({
  version: '2026-11-23.1',
  roles: {
    viewer: {
      description: 'Looks up customers in the CRM only.',
      grants: ['search_customers', 'get_customer'],
    },
    support: {
      description: 'Customer support: CRM, tickets and order status.',
      grants: ['system:crm', 'system:ticketing', 'get_order_status'],
    },
    sales: {
      description: 'Sales: CRM, orders and inventory, read only.',
      grants: ['system:crm', 'get_customer_orders', 'get_order_status', 'check_inventory'],
    },
    admin: { description: 'Everything.', grants: ['*'] },
  },
});

const grantMatches = (grant: string, tool: PolicySubject): boolean => {
  if (grant === '*' || grant === tool.name) return true;
  if (grant === `risk:${tool.risk}`) return true;
  if (grant.startsWith('system:')) {
    const system = grant.slice('system:'.length);
    return tool.systems.length > 0 && tool.systems.every((id) => id === system);
  }
  return false;
};

/**
 * Whether the caller may see and call the tool.
 *
 * @example
 * isAllowed(defaultPolicy, { sub: 'ana', roles: ['support'] }, getCustomerTickets); // true
 */
export function isAllowed(policy: Policy, caller: Caller, tool: PolicySubject): boolean {
  return caller.roles.some((role) =>
    (policy.roles[role]?.grants ?? []).some((grant) => grantMatches(grant, tool)),
  );
}
