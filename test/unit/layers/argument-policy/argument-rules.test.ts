import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  ArgumentNotAllowedError,
  ArgumentPolicyError,
  argumentRulesOf,
  loadArgumentRules,
  type PolicyFile,
} from '#layers/argument-policy/argument-rules.ts';
import { readCedarFiles } from '#layers/argument-policy/policy-files.ts';
import type { AnyTool, ToolContext } from '#layers/tools/define.ts';
import { registry, tools } from '#layers/tools/registry.ts';

const tool = (name: string) => {
  const found = registry.get(name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};
const support = { sub: 'sue', roles: ['support'] };
const sales = { sub: 'sam', roles: ['sales'] };
const admin = { sub: 'ada', roles: ['admin'] };

/** The problems a set of files is refused with, one a line. */
async function problemsOf(
  files: PolicyFile[],
  among: readonly AnyTool[] = tools,
): Promise<string[]> {
  try {
    await loadArgumentRules(files, among);
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentPolicyError);
    return [...(error as ArgumentPolicyError).problems];
  }
  throw new Error('the files validated');
}

const denial = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ArgumentNotAllowedError);
  return error as ArgumentNotAllowedError;
};

describe('argument rules', () => {
  describe('validation', () => {
    it('accepts the shipped rules in infra/policy', async () => {
      // Act
      const rules = await loadArgumentRules(readCedarFiles(), tools);

      // Assert
      expect(rules.rules.map((rule) => `${rule.id} ${rule.file}:${rule.line}`)).toEqual([
        'email-to-customer-contacts email.cedar:3',
        'order-approval-over-1000 orders.cedar:8',
        'orders-limit-up-to-50 orders.cedar:15',
      ]);
    });

    it('refuses a rule naming an unknown tool, with its file and line', async () => {
      // Act
      const problems = await problemsOf([
        {
          name: 'x.cedar',
          text: '// a comment\n@id("typo")\nforbid (principal, action == Action::"get_customer_orderz", resource);\n',
        },
      ]);

      // Assert
      expect(problems).toEqual([expect.stringMatching(/^x\.cedar:3: .*get_customer_orderz/)]);
      expect(problems[0]).toContain('did you mean `Action::"get_customer_orders"`');
    });

    it('refuses a rule naming an unknown input field, with its line', async () => {
      // Act
      const problems = await problemsOf([
        {
          name: 'limits.cedar',
          text: '@id("limit")\nforbid (principal, action == Action::"get_customer_orders", resource)\nwhen { context.lmit > 50 };\n',
        },
      ]);

      // Assert
      expect(problems).toEqual([expect.stringMatching(/^limits\.cedar:3: attribute `lmit`/)]);
    });

    it('refuses a syntax error, naming the line it is on', async () => {
      // Act
      const problems = await problemsOf([
        {
          name: 'broken.cedar',
          text: '@id("ok")\nforbid (principal, action == Action::"get_customer_orders", resource)\nwhen { context.limit > 50 };\n\n@id("broken")\nforbid (principal, action, resource)\nwhen { context.limit > };\n',
        },
      ]);

      // Assert
      expect(problems).toEqual([expect.stringMatching(/^broken\.cedar:7: .*unexpected token/)]);
    });

    it('refuses a permit, a rule without @id and @needs on a read tool, all at once', async () => {
      // Act
      const problems = await problemsOf([
        {
          name: 'a.cedar',
          text: [
            '@id("open") permit (principal, action, resource);',
            'forbid (principal, action == Action::"get_customer", resource);',
            '@id("four-eyes-read") @needs("approver")',
            'forbid (principal, action == Action::"get_customer", resource);',
          ].join('\n'),
        },
      ]);

      // Assert
      expect(problems).toEqual([
        expect.stringMatching(/^a\.cedar:1: argument rules are `forbid` policies/),
        expect.stringMatching(/^a\.cedar:2: give the rule a name/),
        expect.stringMatching(/^a\.cedar:3: @needs\("approver"\) applies to write tools only/),
      ]);
    });

    it('reads which tools the rules name without the engine', () => {
      // Act
      const rules = argumentRulesOf(readCedarFiles(), tools);

      // Assert
      expect(rules.mentions('get_customer_orders')).toBe(true);
      expect(rules.mentions('create_order')).toBe(true);
      expect(rules.mentions('get_customer')).toBe(false);
      expect(rules.factsFor(tool('create_order'))).toEqual(['amount']);
      expect(rules.factsFor(tool('send_email')).sort()).toEqual(['contactEmails', 'recipients']);
      expect(rules.factsFor(tool('get_customer_orders'))).toEqual([]);
    });
  });

  describe('fractional numbers', () => {
    // A read tool with a fractional input, as an imported system's tool may have.
    const quote = {
      name: 'quote_discount',
      risk: 'read',
      input: z.object({ sku: z.string(), rate: z.number(), units: z.number().int() }),
    } as unknown as AnyTool;
    const discountRule: PolicyFile = {
      name: 'discounts.cedar',
      text: '@id("discount-up-to-15")\n@allows("a rate up to 0.15")\nforbid (principal, action == Action::"quote_discount", resource)\nwhen { context.rate.greaterThan(decimal("0.15")) };\n',
    };

    it('compares a fractional input as a Cedar decimal, to 4 places', async () => {
      // Arrange
      const rules = await loadArgumentRules([discountRule], [...tools, quote]);
      const input = (rate: number) => ({ sku: 'SKU-10001', rate, units: 3 });

      // Act
      const error = await denial(rules.check(quote, sales, input(0.1501)));
      const allowed = await rules.check(quote, sales, input(0.15));
      const rounded = await rules.check(quote, sales, input(0.150_04));

      // Assert
      expect(error.message).toContain('"discount-up-to-15"');
      expect(allowed).toEqual({ rules: [] });
      expect(rounded).toEqual({ rules: [] });
    });

    it('refuses a fractional input compared as a whole number, at validation', async () => {
      // Act
      const problems = await problemsOf(
        [
          {
            name: 'discounts.cedar',
            text: '@id("discount")\nforbid (principal, action == Action::"quote_discount", resource)\nwhen { context.rate > 1 };\n',
          },
        ],
        [...tools, quote],
      );

      // Assert
      expect(problems).toEqual([expect.stringMatching(/^discounts\.cedar:3: .*decimal/)]);
    });

    it("reads create_order's exact total as a Decimal fact from the preview", async () => {
      // Arrange
      const rules = await loadArgumentRules(
        [
          {
            name: 'orders.cedar',
            text: '@id("order-approval-over-999.50")\n@needs("approver")\nforbid (principal, action == Action::"create_order", resource)\nwhen { context.total.greaterThan(decimal("999.50")) };\n',
          },
        ],
        tools,
      );
      const createOrder = tool('create_order');
      const input = { customerId: 'C-00021', lines: [{ sku: 'SKU-10001', quantity: 1 }] };
      const previewOf = (total: number) => ({
        summary: 'An order',
        changes: [{ field: 'order', before: null, after: { total, currency: 'EUR' } }],
      });
      const decide = async (total: number) =>
        rules.check(
          createOrder,
          sales,
          input,
          await rules.factsOf(createOrder, {
            ctx: {} as ToolContext,
            input,
            preview: previewOf(total),
          }),
        );

      // Act
      const over = await decide(999.51);
      const at = await decide(999.5);

      // Assert
      expect(rules.factsFor(createOrder)).toEqual(['total']);
      expect(over.confirmBy).toBe('approver');
      expect(at).toEqual({ rules: [] });
    });
  });

  describe('the shipped examples', () => {
    const rules = argumentRulesOf(readCedarFiles(), tools);

    it('refuses get_customer_orders over 50 for support and sales, naming the rule', async () => {
      for (const caller of [support, sales]) {
        // Act
        const error = await denial(
          rules.check(tool('get_customer_orders'), caller, { customerId: 'C-00001', limit: 60 }),
        );

        // Assert
        expect(error.statusCode).toBe(403);
        expect(error.code).toBe('argument_not_allowed');
        expect(error.message).toContain('"orders-limit-up-to-50"');
        expect(error.message).toContain('limit up to 50');
      }
    });

    it('allows get_customer_orders up to 50 for support and any limit for admin', async () => {
      // Act / Assert
      await expect(
        rules.check(tool('get_customer_orders'), support, { customerId: 'C-00001', limit: 50 }),
      ).resolves.toEqual({ rules: [] });
      await expect(
        rules.check(tool('get_customer_orders'), admin, { customerId: 'C-00001', limit: 100 }),
      ).resolves.toEqual({ rules: [] });
    });

    it('raises create_order over 1000 to an approver and leaves 1000 to its proposer', async () => {
      // Arrange
      const input = { customerId: 'C-00021', lines: [{ sku: 'SKU-10001', quantity: 1 }] };

      // Act
      const large = await rules.check(tool('create_order'), sales, input, { amount: 1001 });
      const small = await rules.check(tool('create_order'), sales, input, { amount: 1000 });

      // Assert
      expect(large.confirmBy).toBe('approver');
      expect(large.rules.map((rule) => rule.id)).toEqual(['order-approval-over-1000']);
      expect(small).toEqual({ rules: [] });
    });

    it('refuses send_email to a non-contact for support but not for sales', async () => {
      // Arrange
      const input = { to: ['someone@elsewhere.example'], subject: 'Hi', body: 'Hello' };
      const facts = {
        recipients: ['someone@elsewhere.example'],
        contactEmails: ['ada@acme.example'],
      };

      // Act
      const error = await denial(rules.check(tool('send_email'), support, input, facts));
      const allowed = await rules.check(tool('send_email'), sales, input, facts);

      // Assert
      expect(error.message).toContain('"email-to-customer-contacts"');
      expect(allowed).toEqual({ rules: [] });
    });

    it("allows send_email to the customer's own contacts for support", async () => {
      // Act
      const decision = await rules.check(
        tool('send_email'),
        support,
        { to: ['Ada@Acme.example'], subject: 'Hi', body: 'Hello', customerId: 'C-00021' },
        {
          recipients: ['ada@acme.example'],
          contactEmails: ['ada@acme.example', 'bo@acme.example'],
        },
      );

      // Assert
      expect(decision).toEqual({ rules: [] });
    });

    it('refuses when a fact a rule needs is missing, rather than letting the call through', async () => {
      // Act
      const error = await denial(
        rules.check(tool('create_order'), sales, {
          customerId: 'C-00021',
          lines: [{ sku: 'SKU-10001', quantity: 1 }],
        }),
      );

      // Assert
      expect(error.message).toContain('"order-approval-over-1000"');
    });
  });
});
