import { describe, expect, it } from 'vitest';
import { isAllowed, type Policy } from '#layers/auth/policy.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';

const tool = (name: string, systems: string[], risk: 'read' | 'write' = 'read') => ({
  name,
  systems,
  risk,
});

describe('isAllowed', () => {
  const policy: Policy = {
    version: 'test',
    approverRole: 'approver',
    adminRole: 'admin',
    auditorRole: 'auditor',
    roles: {
      crm: { description: '', grants: ['system:crm'] },
      one: { description: '', grants: ['get_order_status'] },
      reader: { description: '', grants: ['risk:read'] },
      root: { description: '', grants: ['*'] },
    },
  };

  it('allows a tool named in a grant', () => {
    expect(isAllowed(policy, { sub: 'a', roles: ['one'] }, tool('get_order_status', ['erp']))).toBe(
      true,
    );
    expect(isAllowed(policy, { sub: 'a', roles: ['one'] }, tool('check_inventory', ['erp']))).toBe(
      false,
    );
  });

  it('allows a system grant only for tools that use that system alone', () => {
    expect(isAllowed(policy, { sub: 'a', roles: ['crm'] }, tool('x_y', ['crm']))).toBe(true);
    expect(isAllowed(policy, { sub: 'a', roles: ['crm'] }, tool('x_y', ['crm', 'erp']))).toBe(
      false,
    );
  });

  it('allows by risk tier', () => {
    expect(isAllowed(policy, { sub: 'a', roles: ['reader'] }, tool('x_y', ['erp']))).toBe(true);
    expect(isAllowed(policy, { sub: 'a', roles: ['reader'] }, tool('x_y', ['erp'], 'write'))).toBe(
      false,
    );
  });

  it('denies when the caller has no or unknown roles', () => {
    expect(isAllowed(policy, { sub: 'a', roles: [] }, tool('x_y', ['crm']))).toBe(false);
    expect(isAllowed(policy, { sub: 'a', roles: ['ghost'] }, tool('x_y', ['crm']))).toBe(false);
  });

  it('lets the default support role read tickets but not orders', () => {
    const support = { sub: 'ana', roles: ['support'] };
    expect(isAllowed(defaultPolicy, support, tool('get_customer_tickets', ['ticketing']))).toBe(
      true,
    );
    expect(isAllowed(defaultPolicy, support, tool('get_customer_orders', ['erp']))).toBe(false);
  });
});
