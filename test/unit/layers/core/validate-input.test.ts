import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues } from '#layers/core/validate-input.ts';

const schema = z.strictObject({
  id: z.string().regex(/^C-\d{5}$/, 'Customer ids look like C-00042'),
  limit: z.number().int().max(10),
  status: z.enum(['open', 'closed']).optional(),
  nested: z.strictObject({ flag: z.boolean() }).optional(),
});

const issuesOf = (input: unknown) => {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) throw new Error('expected invalid input');
  return describeIssues(result.error);
};

describe('describeIssues', () => {
  it('names a missing field and what to provide', () => {
    expect(issuesOf({ limit: 1 })).toEqual([
      { path: 'id', message: 'Required: provide a string.' },
    ]);
  });

  it("keeps the schema's own hint for a bad format", () => {
    expect(issuesOf({ id: 'acme', limit: 1 })[0]).toEqual({
      path: 'id',
      message: 'Customer ids look like C-00042.',
    });
  });

  it('lists the allowed values of an enum', () => {
    const [issue] = issuesOf({ id: 'C-00001', limit: 1, status: 'lost' });
    expect(issue).toEqual({ path: 'status', message: 'Must be one of: "open", "closed".' });
  });

  it('gives one issue per unknown field, with its full path', () => {
    const issues = issuesOf({ id: 'C-00001', limit: 1, a: 1, nested: { flag: true, b: 2 } });
    expect(issues.map((issue) => issue.path).sort()).toEqual(['a', 'nested.b']);
    expect(issues[0]?.message).toContain('remove it');
  });

  it('explains a wrong type', () => {
    const [issue] = issuesOf({ id: 'C-00001', limit: '5' });
    expect(issue?.path).toBe('limit');
    expect(issue?.message).toMatch(/^Expected a number/);
  });
});
