import { describe, expect, it } from 'vitest';
import { describeTool } from '#layers/tools/descriptor.ts';
import { tools } from '#layers/tools/registry.ts';
import {
  anthropicProblems,
  dropOmittedNulls,
  openAiStrictProblems,
  toOpenAiStrict,
} from '#layers/tools/schema-dialects.ts';

describe('tool input schemas in agent dialects', () => {
  it.each(tools.map((tool) => [tool.name, tool] as const))(
    '%s is accepted by Anthropic tool use and, converted, by OpenAI strict mode',
    (_name, tool) => {
      const schema = describeTool(tool).inputSchema;
      expect(anthropicProblems(schema)).toEqual([]);
      expect(openAiStrictProblems(toOpenAiStrict(schema))).toEqual([]);
    },
  );

  it('finds what OpenAI strict mode refuses in a raw schema, so the check can fail', () => {
    const raw = describeTool(
      tools.find((tool) => tool.name === 'get_customer_orders')!,
    ).inputSchema;
    const problems = openAiStrictProblems(raw);
    expect(problems).toEqual(
      expect.arrayContaining(['$.limit: not in required', '$.limit: unsupported keyword default']),
    );
  });

  it('makes optional fields nullable and keeps their constraints in the description', () => {
    const strict = toOpenAiStrict(
      describeTool(tools.find((tool) => tool.name === 'get_customer_orders')!).inputSchema,
    ) as any;
    expect(strict.required).toEqual(['customerId', 'limit', 'status']);
    expect(strict.properties.limit.anyOf).toEqual([
      expect.objectContaining({ type: 'integer' }),
      { type: 'null' },
    ]);
    expect(strict.properties.limit.description).toContain('default 10');
  });

  it('drops the nulls strict clients send for left-out fields, but keeps nulls a schema allows', () => {
    const orders = describeTool(
      tools.find((tool) => tool.name === 'get_customer_orders')!,
    ).inputSchema;
    expect(dropOmittedNulls(orders, { customerId: 'C-00001', limit: null, status: null })).toEqual({
      customerId: 'C-00001',
    });
    const contact = describeTool(
      tools.find((tool) => tool.name === 'update_customer_contact')!,
    ).inputSchema;
    expect(
      dropOmittedNulls(contact, {
        customerId: 'C-00001',
        contactId: '1',
        changes: { phone: null, email: null },
      }),
    ).toEqual({
      customerId: 'C-00001',
      contactId: '1',
      changes: { phone: null, email: null },
    });
  });
});
