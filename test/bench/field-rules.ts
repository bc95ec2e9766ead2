import type { Caller } from '#layers/auth/caller.ts';
import { applyFieldPlan, fieldRulesOf } from '#layers/core/field-rules.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import type { AnyTool } from '#layers/tools/define.ts';
import { getCustomer } from '#layers/tools/read/get-customer.ts';
import { getCustomerContext } from '#layers/tools/read/get-customer-context.ts';
import type { ToolResult } from '#layers/tools/tool-runner.ts';
import { judge } from './goals.ts';
import { percentile, round } from './stats.ts';

const contact = (index: number) => ({
  id: String(index),
  firstName: 'Ada',
  lastName: `Contact ${index}`,
  email: `ada.${index}@acme.example`,
  phone: `+49 30 555 ${index}`,
  jobTitle: 'Buyer',
});

const customer = {
  id: 'C-00021',
  name: 'Acme',
  domain: 'acme.example',
  industry: 'Manufacturing',
  city: 'Berlin',
  country: 'DE',
  crmId: '1021',
  phone: '+49 30 1234567',
  employees: 250,
  annualRevenue: 12_000_000,
  lifecycleStage: 'customer',
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
  contacts: Array.from({ length: 10 }, (_, index) => contact(index)),
};

const order = (index: number) => ({
  id: `SO-10000${index}`,
  customerId: 'C-00021',
  status: 'shipped',
  orderedAt: '2026-11-01T10:00:00Z',
  shippedAt: '2026-11-02T10:00:00Z',
  deliveredAt: null,
  carrier: 'DHL',
  trackingNumber: '00340434',
  currency: 'EUR',
  total: 1200,
  lines: Array.from({ length: 4 }, (_, line) => ({
    sku: `SKU-1000${line}`,
    description: 'Pallet jack',
    quantity: 1,
    unitPrice: 300,
    amount: 300,
  })),
});

const meta: ToolResult['meta'] = { requestId: 'bench', durationMs: 1, degraded: [], cache: 'none' };

/**
 * The latency field rules add to a call in the core: resolving the caller's plan (cached per tool
 * and role set after the first call) and applying it to the answer, for a caller no rule applies
 * to and for callers with masked and withheld fields (a customer with 10 contacts; a customer
 * context with 5 orders of 4 lines). Issue 16's goal for policy evaluation: p50 <= 0.2 ms,
 * p99 <= 1 ms.
 */
export function measureFieldRules(iterations: number) {
  const rules = fieldRulesOf(defaultPolicy);
  const cases: { label: string; tool: AnyTool; caller: Caller; result: ToolResult }[] = [
    {
      label: 'admin, get_customer (no rule applies)',
      tool: getCustomer,
      caller: { sub: 'bench', roles: ['admin'] },
      result: { data: { customer }, meta },
    },
    {
      label: 'viewer, get_customer (2 fields masked in 10 contacts)',
      tool: getCustomer,
      caller: { sub: 'bench', roles: ['viewer'] },
      result: { data: { customer }, meta },
    },
    {
      label: 'support, get_customer_context (revenue withheld)',
      tool: getCustomerContext,
      caller: { sub: 'bench', roles: ['support'] },
      result: {
        data: {
          customer,
          recentOrders: Array.from({ length: 5 }, (_, index) => order(index)),
          openTickets: [],
          note: null,
        },
        meta,
      },
    },
  ];
  return cases.map(({ label, tool, caller, result }) => {
    const firstStarted = performance.now();
    applyFieldPlan(rules.planFor(tool, caller), result);
    const first = performance.now() - firstStarted;
    const samples: number[] = [];
    for (let index = 0; index < iterations + 100; index++) {
      const started = performance.now();
      applyFieldPlan(rules.planFor(tool, caller), result);
      if (index >= 100) samples.push(performance.now() - started);
    }
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    return {
      caller: label,
      'first call ms (plan built)': round(first, 3),
      'p50 ms (goal <= 0.2)': judge(`field rules: ${label}, p50 ms`, p50, '<=', 0.2),
      'p99 ms (goal <= 1)': judge(`field rules: ${label}, p99 ms`, p99, '<=', 1),
      iterations,
    };
  });
}
