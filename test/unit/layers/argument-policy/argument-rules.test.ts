import { describe, expect, it } from 'vitest';
import {
  ArgumentNotAllowedError,
  ArgumentPolicyError,
  argumentRulesOf,
  loadArgumentRules,
  type PolicyFile,
} from '#layers/argument-policy/argument-rules.ts';
import { readCedarFiles } from '#layers/argument-policy/policy-files.ts';
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
async function problemsOf(files: PolicyFile[]): Promise<string[]> {
  try {
    await loadArgumentRules(files, tools);
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
