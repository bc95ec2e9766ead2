import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, validateToolInput } from '#layers/core/validate-input.ts';
import { defineReadTool } from '#layers/tools/define.ts';

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

const bookVisit = defineReadTool({
  name: 'book_visit',
  title: 'Book a visit',
  description: 'Books a visit. Use it in tests.',
  risk: 'read',
  systems: ['crm'],
  input: z.strictObject({
    customerId: z.string().describe('Customer id.'),
    note: z.string().nullable().optional().describe('Null clears the note.'),
    limit: z.number().int().default(10).describe('How many.'),
    when: z
      .strictObject({
        day: z.string().describe('Day.'),
        hour: z.number().int().optional().describe('Hour.'),
      })
      .optional()
      .describe('When.'),
  }),
  output: z.object({ ok: z.boolean().describe('Done.') }),
  run: async () => ({ ok: true }),
});

describe('validateToolInput', () => {
  it('takes null as left out for an optional field that does not accept null, nested too', () => {
    // Act
    const input = validateToolInput(bookVisit, {
      customerId: 'C-00001',
      limit: null,
      when: { day: 'Monday', hour: null },
    });
    // Assert: the key is gone, so the default applies and no key holds undefined
    expect(input).toStrictEqual({ customerId: 'C-00001', limit: 10, when: { day: 'Monday' } });
  });

  it('keeps a null the field accepts: there it means "clear it"', () => {
    expect(validateToolInput(bookVisit, { customerId: 'C-00001', note: null })).toStrictEqual({
      customerId: 'C-00001',
      note: null,
      limit: 10,
    });
  });

  it('refuses null for a required field, naming it', () => {
    expect(() => validateToolInput(bookVisit, { customerId: null, when: { day: null } })).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        statusCode: 400,
        message:
          'The input of "book_visit" is invalid: customerId, when.day. Fix the listed fields and call again.',
        issues: [
          {
            path: 'customerId',
            message: 'Expected a string: Invalid input: expected string, received null.',
          },
          {
            path: 'when.day',
            message: 'Expected a string: Invalid input: expected string, received null.',
          },
        ],
      }),
    );
  });

  it('refuses an input that is not a JSON object', () => {
    for (const raw of [null, [], 'C-00001']) {
      expect(() => validateToolInput(bookVisit, raw)).toThrow(
        expect.objectContaining({
          code: 'validation_failed',
          message: 'The tool input must be a JSON object.',
          issues: [{ path: '', message: 'Send a JSON object, e.g. {}.' }],
        }),
      );
    }
  });
});
