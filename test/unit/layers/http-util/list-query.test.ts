import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { InvalidQueryError } from '#layers/errors/index.ts';
import { listQueryFields, parseListQuery } from '#layers/http-util/list-query.ts';

const schema = z.strictObject({ ...listQueryFields, tool: z.string().optional() });

const issuesOf = (parameters: Record<string, string>) => {
  try {
    parseListQuery(schema, parameters);
  } catch (error) {
    if (error instanceof InvalidQueryError) return { code: error.code, issues: error.issues };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('parseListQuery', () => {
  it('defaults limit to 25 and normalises times to UTC', () => {
    // Act
    const query = parseListQuery(schema, { from: '2026-12-01', to: '2026-12-01T10:00:00+02:00' });
    // Assert
    expect(query).toEqual({
      limit: 25,
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-01T08:00:00.000Z',
    });
  });

  it('names every bad or unknown parameter at once, with invalid_input', () => {
    // Act
    const refused = issuesOf({ limit: '0', from: 'soon', colour: 'red' });
    // Assert
    expect(refused.code).toBe('invalid_input');
    expect(refused.issues?.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'colour',
      'from',
      'limit',
    ]);
  });

  it('refuses from after to, naming from', () => {
    // Act
    const refused = issuesOf({ from: '2026-12-02', to: '2026-12-01' });
    // Assert
    expect(refused.issues).toEqual([
      { path: 'from', message: 'must not be after to (2026-12-01T00:00:00.000Z)' },
    ]);
  });
});
