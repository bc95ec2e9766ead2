import {
  ArgumentNotAllowedError,
  argumentRulesOf,
} from '#layers/argument-policy/argument-rules.ts';
import { readCedarFiles } from '#layers/argument-policy/policy-files.ts';
import type { Caller } from '#layers/auth/caller.ts';
import type { AnyTool } from '#layers/tools/define.ts';
import { registry, tools } from '#layers/tools/registry.ts';
import { judge } from './goals.ts';
import { percentile, round } from './stats.ts';

const tool = (name: string): AnyTool => {
  const found = registry.get(name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};

/**
 * The latency argument rules (infra/policy/*.cedar) add to a call in the core: the set lookup a
 * tool no rule names pays, and one Cedar evaluation (allowed, refused, raised to four eyes) for
 * tools the shipped rules name, with their facts at hand (reading a fact, e.g. the CRM's contacts
 * for send_email, is an upstream call measured with the others). The first call loads the Cedar
 * engine and parses the rules: reported apart. Issue 16's goal for policy evaluation: p50 <= 0.2
 * ms, p99 <= 1 ms.
 */
export async function measureArgumentRules(iterations: number) {
  const rules = argumentRulesOf(readCedarFiles(), tools);
  const sales: Caller = { sub: 'bench', roles: ['sales'] };
  const support: Caller = { sub: 'bench', roles: ['support'] };
  const order = { customerId: 'C-00021', lines: [{ sku: 'SKU-10001', quantity: 2 }] };
  const email = { to: ['ada@acme.example'], subject: 'Hi', body: 'Hello', customerId: 'C-00021' };
  const contacts = Array.from({ length: 10 }, (_, index) => `contact.${index}@acme.example`);
  const cases: {
    label: string;
    call: () => Promise<unknown>;
  }[] = [
    {
      label: 'get_customer (no rule names it)',
      call: async () =>
        rules.mentions('get_customer')
          ? rules.check(tool('get_customer'), sales, { customerId: 'C-00021' })
          : undefined,
    },
    {
      label: 'get_customer_orders limit 20, sales (allowed)',
      call: () => rules.check(tool('get_customer_orders'), sales, { customerId: 'C-1', limit: 20 }),
    },
    {
      label: 'get_customer_orders limit 60, sales (refused)',
      call: () =>
        rules
          .check(tool('get_customer_orders'), sales, { customerId: 'C-1', limit: 60 })
          .catch((error: unknown) => {
            if (!(error instanceof ArgumentNotAllowedError)) throw error;
          }),
    },
    {
      label: 'create_order amount 1200 (raised to an approver)',
      call: () => rules.check(tool('create_order'), sales, order, { amount: 1200 }),
    },
    {
      label: 'send_email, support, to 1 of 10 contacts (allowed)',
      call: () =>
        rules.check(tool('send_email'), support, email, {
          recipients: ['contact.3@acme.example'],
          contactEmails: contacts,
        }),
    },
  ];
  const rows = [];
  for (const { label, call } of cases) {
    const firstStarted = performance.now();
    await call();
    const first = performance.now() - firstStarted;
    const samples: number[] = [];
    for (let index = 0; index < iterations + 100; index++) {
      const started = performance.now();
      await call();
      if (index >= 100) samples.push(performance.now() - started);
    }
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    rows.push({
      call: label,
      'first call ms (engine loaded, rules parsed)': round(first, 3),
      'p50 ms (goal <= 0.2)': judge(`argument rules: ${label}, p50 ms`, p50, '<=', 0.2),
      'p99 ms (goal <= 1)': judge(`argument rules: ${label}, p99 ms`, p99, '<=', 1),
      iterations,
    });
  }
  return rows;
}
