import type * as z from 'zod';

/** Where declarations live, relative to the repository root; errors name files from here. */
export const DECLARED_ROOT = 'layers/systems/declared';

/** One declaration file as the generated index (layers/systems/declared/index.ts) lists it. */
export interface DeclarationFile {
  /** Path under `DECLARED_ROOT`, e.g. `facilities/tools/get_asset.json`. */
  readonly file: string;
  readonly kind: 'system' | 'tool';
  readonly data: unknown;
}

/** A declaration that breaks its schema: names the file, each field, and how to fix it. */
export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';
  constructor(
    readonly file: string,
    readonly problems: readonly { field: string; problem: string; fix: string }[],
  ) {
    super(
      `${DECLARED_ROOT}/${file} is not a valid declaration:\n${problems
        .map(({ field, problem, fix }) => `- ${field || '(top level)'}: ${problem}. Fix: ${fix}`)
        .join('\n')}`,
    );
  }
}

/** How to fix one zod issue of a declaration, in words a person editing the file can follow. */
function fixOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `remove ${issue.keys.map((key) => `"${key}"`).join(', ')} or correct its spelling (README "Declared systems and tools" lists the fields)`;
    case 'invalid_type':
      return issue.input === undefined
        ? `add the field (${issue.expected})`
        : `give it a value of type ${issue.expected}`;
    case 'invalid_value':
      return `${issue.input === undefined ? 'add it with' : 'use'} one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_format':
      return `write it as a ${issue.format}`;
    default:
      return 'correct the value as the message says';
  }
}

/**
 * Parses one declaration with its schema, or throws a `DeclarationError` naming every problem.
 *
 * @example
 * const system = parseDeclaration(declaredSystemSchema, { file: 'facilities/system.json', data });
 */
export function parseDeclaration<S extends z.ZodType>(
  schema: S,
  declaration: Pick<DeclarationFile, 'file' | 'data'>,
): z.output<S> {
  const parsed = schema.safeParse(declaration.data, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new DeclarationError(
    declaration.file,
    parsed.error.issues.map((issue) => ({
      field: issue.path.join('.'),
      problem: issue.message,
      fix: fixOf(issue),
    })),
  );
}
