import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '#layers/audit/redact.ts';
import { isAllowed } from '#layers/auth/policy.ts';
import { validateToolInput } from '#layers/core/validate-input.ts';
import { metaToolNamed } from '#layers/mcp/meta-tools.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { getSystem } from '#layers/systems/registry.ts';
import { getCustomer } from '#layers/tools/read/get-customer.ts';
import { registry } from '#layers/tools/registry.ts';
import { getWebhookSource } from '#layers/webhooks/sources.ts';
import { startCrmSandbox } from '#local/sandboxes/crm.ts';
import type { RunningSandbox } from '#local/sandboxes/server.ts';
import { call, credentials } from './local/sandboxes/support.ts';

/** Names every plain object answers through its prototype. */
const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('names from the prototype chain', () => {
  it.each(NAMES)('are no tool, meta tool, system or webhook source: %s', (name) => {
    expect(registry.get(name)).toBeUndefined();
    expect(metaToolNamed(name)).toBeUndefined();
    expect(getSystem(name)).toBeUndefined();
    expect(getWebhookSource(name)).toBeUndefined();
  });

  it.each(NAMES)('grant nothing as a role from a token: %s', (role) => {
    expect(
      registry.all.filter((tool) => isAllowed(defaultPolicy, { sub: 'x', roles: [role] }, tool)),
    ).toEqual([]);
  });

  it('keeps a caller-given __proto__ or constructor key a key the tool schema refuses', () => {
    // Arrange: JSON.parse makes `__proto__` an own key, as a request body does
    const inputs = [
      JSON.parse('{"__proto__": {"customerId": "C-00021"}}'),
      JSON.parse('{"customerId": "C-00021", "constructor": null}'),
    ];
    for (const input of inputs) {
      const key = Object.keys(input).find((name) => name !== 'customerId');
      // Act, assert
      expect(() => validateToolInput(getCustomer, input)).toThrow(
        expect.objectContaining({
          code: 'validation_failed',
          issues: expect.arrayContaining([expect.objectContaining({ path: key })]),
        }),
      );
    }
  });

  it('records a caller-given __proto__ key in the audit copy, redacted where sensitive', () => {
    // Act
    const copy = redact(JSON.parse('{"__proto__": {"password": "hunter2", "note": "x"}}'));
    // Assert
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"password":"[REDACTED]","note":"x"}}');
  });

  describe('in the CRM sandbox', () => {
    let crm: RunningSandbox;
    const search = (body: unknown) =>
      call(`${crm.url}/crm/v3/objects/companies/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credentials.crm.token}` },
        body,
      });

    beforeAll(async () => {
      crm = await startCrmSandbox({ credentials: credentials.crm });
    });
    afterAll(() => crm.close());

    it.each(NAMES)('are unknown properties to filter, sort and return: %s', async (name) => {
      // Act
      const filtered = await search({
        filterGroups: [{ filters: [{ propertyName: name, operator: 'EQ', value: 'x' }] }],
      });
      const sorted = await search({
        sorts: [{ propertyName: name, direction: 'ASCENDING' }],
        properties: [name],
        limit: 1,
      });
      // Assert
      expect(filtered.status).toBe(200);
      expect(filtered.body.total).toBe(0);
      expect(sorted.status).toBe(200);
      expect(Object.keys(sorted.body.results[0].properties)).not.toContain(name);
    });
  });
});
