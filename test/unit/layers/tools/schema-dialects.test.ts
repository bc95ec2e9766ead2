import { describe, expect, it } from 'vitest';
import { describeTool } from '#layers/tools/descriptor.ts';
import { tools } from '#layers/tools/registry.ts';
import {
  anthropicProblems,
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
});
