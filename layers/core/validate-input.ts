import type { z } from 'zod';
import { type ErrorIssue, MAX_ISSUES, ValidationError } from '../errors/index.ts';

/**
 * One issue per field path, with what to do about it. Parse with `{ reportInput: true }` so a
 * missing field can be told from a wrong one; the input values themselves are never reported.
 */
export function describeIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.flatMap((issue): ErrorIssue[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: base ? `${base}.${key}` : key,
        message: `Unknown field "${key}": remove it; the tool's inputSchema lists the accepted fields.`,
      }));
    }
    return [{ path: base, message: fixHint(issue) }];
  });
}

function fixHint(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `Required: provide ${article(issue.expected)} ${issue.expected}.`
        : `Expected ${article(issue.expected)} ${issue.expected}: ${issue.message}.`;
    case 'invalid_value':
      return `Must be one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
    default:
      return `${issue.message}.`;
  }
}

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/**
 * The 400 for a tool input that fails its schema, the same over every transport: names the fields
 * (the first few, when there are many) and says what to do.
 *
 * @example
 * if (!result.success) throw invalidInput(tool.name, result.error);
 */
export function invalidInput(toolName: string, error: z.ZodError): ValidationError {
  const issues = describeIssues(error);
  const paths = [...new Set(issues.map((issue) => issue.path || '(input)'))];
  const named =
    paths.length > MAX_ISSUES
      ? `${paths.slice(0, MAX_ISSUES).join(', ')} and ${paths.length - MAX_ISSUES} more`
      : paths.join(', ');
  return new ValidationError(
    `The input of "${toolName}" is invalid: ${named}. Fix the listed fields and call again.`,
    { issues },
  );
}
