import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools } from '#layers/tools/registry.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

describe('GET /openapi.json', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('serves an OpenAPI 3.1 document, without a token, that a standard validator accepts', async () => {
    const res = await local.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does refuse a broken document, so the check above can fail.
    const broken = await new Validator().validate({ ...res.body, info: { title: 'no version' } });
    expect(broken.valid).toBe(false);
  });

  it('documents every tool with the same input schema the catalog serves', async () => {
    const doc = (await local.call('GET', '/openapi.json')).body;
    const catalog = (await local.call('GET', '/tools', { as: { sub: 'root', roles: ['admin'] } }))
      .body.tools;
    for (const tool of tools) {
      const operation = doc.paths[`/tools/${tool.name}`]?.post;
      expect(operation?.operationId, tool.name).toBe(tool.name);
      expect(operation.requestBody.content['application/json'].schema).toEqual(
        catalog.find((descriptor: { name: string }) => descriptor.name === tool.name).inputSchema,
      );
      expect(Object.keys(operation.responses)).toContain(tool.risk === 'write' ? '202' : '200');
    }
  });

  it('serves OpenAI strict schemas on request, and accepts the nulls those clients send', async () => {
    const admin = { sub: 'root', roles: ['admin'] };
    const strict = await local.call('GET', '/tools?dialect=openai-strict', { as: admin });
    const orders = strict.body.tools.find(
      (tool: { name: string }) => tool.name === 'get_customer_orders',
    );
    expect(orders.inputSchema.required).toEqual(['customerId', 'limit', 'status']);
    const res = await local.call('POST', '/tools/get_customer_orders', {
      as: admin,
      body: { customerId: 'C-00021', limit: null, status: null },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.orders).toHaveLength(10);
  });
});
