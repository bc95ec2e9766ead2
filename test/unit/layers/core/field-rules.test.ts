import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { type Policy, parsePolicy, policySchema } from '#layers/auth/policy.ts';
import {
  applyFieldPlan,
  createFieldRules,
  describeToolFor,
  fieldPlaces,
  maskValue,
  noFieldRules,
} from '#layers/core/field-rules.ts';
import { callTool, type ToolCallDeps } from '#layers/core/tool-call.ts';
import { modelFieldNames } from '#layers/model/fields.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { describeTool } from '#layers/tools/descriptor.ts';
import { getCustomer } from '#layers/tools/read/get-customer.ts';
import { getCustomerContext } from '#layers/tools/read/get-customer-context.ts';
import { getCustomerOrders } from '#layers/tools/read/get-customer-orders.ts';
import { getOrderStatus } from '#layers/tools/read/get-order-status.ts';
import { tools } from '#layers/tools/registry.ts';
import { createRegistry } from '#layers/tools/tool-registry.ts';
import type { ToolResult, ToolRunner } from '#layers/tools/tool-runner.ts';

const meta: ToolResult['meta'] = { requestId: 'r1', durationMs: 1, degraded: [], cache: 'none' };

const contact = (id: string, email: string | null, phone: string | null) => ({
  id,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email,
  phone,
  jobTitle: 'CTO',
});

const customer = {
  id: 'C-00001',
  name: 'Acme',
  domain: 'acme.example',
  industry: null,
  city: null,
  country: null,
  crmId: '101',
  phone: '+49 30 1234567',
  employees: 50,
  annualRevenue: 1_000_000,
  lifecycleStage: 'customer',
  createdAt: null,
  updatedAt: null,
  contacts: [contact('1', 'ada@acme.example', '+49 30 555'), contact('2', null, null)],
};

const order = (id: string) => ({
  id,
  customerId: 'C-00001',
  status: 'pending',
  orderedAt: '2026-11-01T10:00:00Z',
  shippedAt: null,
  deliveredAt: null,
  carrier: null,
  trackingNumber: null,
  currency: 'EUR',
  total: 300,
  lines: [
    { sku: 'SKU-1', description: 'Bolt', quantity: 2, unitPrice: 100, amount: 200 },
    { sku: 'SKU-2', description: 'Nut', quantity: 1, unitPrice: 100, amount: 100 },
  ],
});

const policyWith = (roles: z.input<typeof policySchema>['roles']): Policy =>
  policySchema.parse({
    version: 't',
    approverRole: 'approver',
    adminRole: 'admin',
    auditorRole: 'auditor',
    roles,
  });

describe('fieldPlaces', () => {
  it('finds tagged fields through nullable parts, arrays and nested arrays', () => {
    // Act
    const places = fieldPlaces(getCustomerContext.output).map(
      (place) => `${place.path.join('.')}=${place.field}`,
    );

    // Assert
    expect(places).toContain('customer.contacts.[].phone=contact.phone');
    expect(places).toContain('recentOrders.[].lines.[].unitPrice=orderLine.unitPrice');
    expect(places).toContain('recentOrders.[].customerId=order.customerId');
    expect(places).toContain('openTickets.[].subject=ticket.subject');
  });

  it('tags every field listed in layers/model/fields.ts somewhere in a tool output', () => {
    const tagged = new Set(
      tools.flatMap((tool) => fieldPlaces(tool.output).map((place) => place.field)),
    );
    expect([...modelFieldNames].filter((field) => !tagged.has(field))).toEqual([]);
  });
});

describe('policySchema field rules', () => {
  it('refuses a rule naming a field the model does not have, saying which and where', () => {
    // Act
    const parsed = policySchema.safeParse({
      ...defaultPolicy,
      roles: { viewer: { description: '', grants: [], fields: { mask: ['contact.fax'] } } },
    });

    // Assert
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues[0];
    expect(issue?.path).toEqual(['roles', 'viewer', 'fields', 'mask', 0]);
    expect(issue?.message).toContain('"contact.fax" is not a field of the canonical model');
  });

  it('throws naming the source, the problem and its path when parsePolicy meets a bad rule', () => {
    const bad = {
      ...defaultPolicy,
      roles: { viewer: { description: '', grants: [], fields: { withhold: ['order.price'] } } },
    };
    expect(() => parsePolicy(bad, 'policy.json')).toThrow(
      /^The policy in policy\.json does not validate:\n.*"order\.price" is not a field of the canonical model.*\n.*at roles\.viewer\.fields\.withhold\[0\]/,
    );
  });

  it('refuses a field both withheld and masked by one role', () => {
    const parsed = policySchema.safeParse({
      ...defaultPolicy,
      roles: {
        viewer: {
          description: '',
          grants: [],
          fields: { mask: ['contact.phone'], withhold: ['contact.phone'] },
        },
      },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('either withheld or masked');
  });
});

const prices = ['order.total', 'orderLine.unitPrice', 'orderLine.amount'];
const clerkRules = () =>
  createFieldRules(
    policyWith({
      clerk: { description: '', grants: ['get_customer_orders'], fields: { withhold: prices } },
    }),
  );

describe('applyFieldPlan', () => {
  const rules = createFieldRules(defaultPolicy);

  it('masks contacts of a viewer in every array item and leaves nulls alone', () => {
    // Arrange
    const plan = rules.planFor(getCustomer, { sub: 'vic', roles: ['viewer'] });
    const cached = { data: { customer }, meta };

    // Act
    const result = applyFieldPlan(plan, cached);

    // Assert
    const data = result.data as { customer: typeof customer };
    expect(data.customer.contacts.map((c) => [c.email, c.phone])).toEqual([
      ['***@acme.example', '***'],
      [null, null],
    ]);
    expect(data.customer.phone).toBe('+49 30 1234567');
    expect(result.meta.withheld).toEqual([
      { path: 'customer.contacts[].email', field: 'contact.email', reason: 'masked' },
      { path: 'customer.contacts[].phone', field: 'contact.phone', reason: 'masked' },
    ]);
    // The cached answer other callers read is untouched.
    expect(customer.contacts[0]?.email).toBe('ada@acme.example');
  });

  it('withholds order prices of support', () => {
    const plan = rules.planFor(getOrderStatus, { sub: 'sam', roles: ['support'] });
    const result = applyFieldPlan(plan, { data: { order: order('SO-100001') }, meta });
    const data = result.data as { order: { total?: number; lines: object[] } };
    expect(data.order.total).toBeUndefined();
    expect(data.order.lines[0]).toEqual({ sku: 'SKU-1', description: 'Bolt', quantity: 2 });
  });

  it('withholds fields in nested arrays of orders', () => {
    // Arrange
    const plan = clerkRules().planFor(getCustomerOrders, { sub: 'sam', roles: ['clerk'] });

    // Act
    const result = applyFieldPlan(plan, { data: { orders: [order('SO-100001')] }, meta });

    // Assert
    const [first] = (result.data as { orders: Record<string, unknown>[] }).orders;
    expect(first).not.toHaveProperty('total');
    expect(first?.lines).toEqual([
      { sku: 'SKU-1', description: 'Bolt', quantity: 2 },
      { sku: 'SKU-2', description: 'Nut', quantity: 1 },
    ]);
    expect(result.meta.withheld?.map((entry) => 'path' in entry && entry.path)).toEqual([
      'orders[].total',
      'orders[].lines[].unitPrice',
      'orders[].lines[].amount',
    ]);
  });

  it('applies to a composite answer, a null part included, and keeps the parts withheld', () => {
    // Arrange
    const plan = rules.planFor(getCustomerContext, { sub: 'sam', roles: ['support'] });
    const composite = {
      data: { customer, recentOrders: null, openTickets: [], note: null },
      meta: { ...meta, withheld: [{ part: 'recentOrders', reason: 'forbidden' as const }] },
    };

    // Act
    const result = applyFieldPlan(plan, composite);

    // Assert
    const data = result.data as { customer: Record<string, unknown>; recentOrders: null };
    expect(data.customer).not.toHaveProperty('annualRevenue');
    expect(data.recentOrders).toBeNull();
    expect(result.meta.withheld?.[0]).toEqual({ part: 'recentOrders', reason: 'forbidden' });
    expect(result.meta.withheld).toEqual([
      { part: 'recentOrders', reason: 'forbidden' },
      { path: 'customer.annualRevenue', field: 'customer.annualRevenue', reason: 'withheld' },
    ]);
  });

  it("shows a composite tool's part as the tool the part needs shows it", () => {
    // Arrange: a role with the composite tool alone does not widen what get_customer shows.
    const rules = createFieldRules(
      policyWith({
        desk: { description: '', grants: ['get_customer_context'] },
        viewer: {
          description: '',
          grants: ['get_customer'],
          fields: { mask: ['contact.phone'], withhold: ['order.total'] },
        },
      }),
    );

    // Act
    const plan = rules.planFor(getCustomerContext, { sub: 'd', roles: ['desk', 'viewer'] });

    // Assert
    expect(plan.withheld).toEqual([
      { path: 'customer.contacts[].phone', field: 'contact.phone', reason: 'masked' },
    ]);
  });

  it('hides nothing from admin, nor from a caller with a granting role without rules', () => {
    expect(rules.planFor(getCustomer, { sub: 'a', roles: ['viewer', 'admin'] })).toBe(noFieldRules);
    expect(rules.planFor(getCustomer, { sub: 'a', roles: ['viewer', 'sales'] })).toBe(noFieldRules);
    const result = { data: { customer }, meta };
    expect(applyFieldPlan(noFieldRules, result)).toBe(result);
  });

  it('counts only the roles that grant the tool', () => {
    // approver grants no tool: its lack of rules does not unmask the viewer's contacts.
    const plan = rules.planFor(getCustomer, { sub: 'a', roles: ['viewer', 'approver'] });
    expect(plan.withheld.map((entry) => entry.field)).toEqual(['contact.email', 'contact.phone']);
  });

  it('hides a field only when every granting role hides it, masking when one masks', () => {
    // Arrange
    const combined = createFieldRules(
      policyWith({
        a: {
          description: '',
          grants: ['*'],
          fields: { withhold: ['contact.phone', 'contact.email'] },
        },
        b: { description: '', grants: ['*'], fields: { mask: ['contact.phone'] } },
        c: { description: '', grants: ['*'], fields: { withhold: ['contact.phone'] } },
      }),
    );

    // Act
    const ab = combined.planFor(getCustomer, { sub: 'x', roles: ['a', 'b'] });
    const ac = combined.planFor(getCustomer, { sub: 'x', roles: ['a', 'c'] });

    // Assert
    expect(ab.withheld).toEqual([
      { path: 'customer.contacts[].phone', field: 'contact.phone', reason: 'masked' },
    ]);
    expect(ac.withheld).toEqual([
      { path: 'customer.contacts[].phone', field: 'contact.phone', reason: 'withheld' },
    ]);
  });
});

describe('maskValue', () => {
  it('keeps an email domain, hides other strings and nulls other values', () => {
    expect(maskValue('ada@acme.example')).toBe('***@acme.example');
    expect(maskValue('+49 30 555')).toBe('***');
    expect(maskValue(1200)).toBeNull();
    expect(maskValue(null)).toBeNull();
  });
});

describe('describeToolFor', () => {
  const rules = createFieldRules(defaultPolicy);
  type Schema = {
    properties: Record<string, Schema>;
    required?: string[];
    items: Schema;
    anyOf: Schema[];
    description?: string;
  };

  it('removes withheld fields from the output schema and their required entries', () => {
    // Act
    const descriptor = describeToolFor(
      getCustomerOrders,
      clerkRules().planFor(getCustomerOrders, { sub: 's', roles: ['clerk'] }),
    );

    // Assert
    const orderSchema = (descriptor.outputSchema as Schema).properties.orders?.items as Schema;
    expect(orderSchema.properties).not.toHaveProperty('total');
    expect(orderSchema.required).not.toContain('total');
    expect(orderSchema.properties.lines?.items.properties).not.toHaveProperty('unitPrice');
    // The shared descriptor other callers get is untouched.
    const full = (describeTool(getCustomerOrders).outputSchema as Schema).properties.orders
      ?.items as Schema;
    expect(full.properties).toHaveProperty('total');
  });

  it('marks masked fields in a nullable composite part', () => {
    const descriptor = describeToolFor(
      getCustomer,
      rules.planFor(getCustomer, { sub: 'v', roles: ['viewer'] }),
    );
    const contactSchema = (descriptor.outputSchema as Schema).properties.customer?.properties
      .contacts?.items as Schema;
    expect(contactSchema.properties.phone?.description).toContain('Masked for your role');
    expect(describeToolFor(getCustomer, noFieldRules)).toBe(describeTool(getCustomer));
  });
});

describe('callTool with field rules', () => {
  it('gives each caller their own view of one shared answer, and audits no answer data', async () => {
    // Arrange: the runner answers the same object to everyone, as a cache does.
    const shared = { data: { customer }, meta };
    const records: unknown[] = [];
    const deps = {
      registry: createRegistry([getCustomer]),
      policy: defaultPolicy,
      runner: { admit: async () => undefined, run: async () => shared } as unknown as ToolRunner,
      auditor: {
        record: async (record: unknown) => {
          records.push(record);
          return undefined;
        },
      },
      logger: { error: () => undefined, warn: () => undefined },
      proposals: () => {
        throw new Error('no proposals here');
      },
    } as unknown as ToolCallDeps;
    const call = (roles: string[]) =>
      callTool(
        deps,
        { sub: 'u', roles },
        'get_customer',
        { customerId: 'C-00001' },
        {
          requestId: 'r1',
          baseUrl: 'https://gateway.example',
        },
      );

    // Act
    const viewer = await call(['viewer']);
    const admin = await call(['admin']);

    // Assert
    const emailOf = (outcome: Awaited<ReturnType<typeof call>>) =>
      outcome.kind === 'answer'
        ? (outcome.result.data as typeof shared.data).customer.contacts[0]?.email
        : undefined;
    expect(emailOf(viewer)).toBe('***@acme.example');
    expect(emailOf(admin)).toBe('ada@acme.example');
    expect(JSON.stringify(records)).not.toContain('acme.example');
  });
});
