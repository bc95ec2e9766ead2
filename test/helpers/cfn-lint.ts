import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type CfnLintResult =
  | { readonly available: true; readonly findings: readonly string[] }
  | { readonly available: false; readonly reason: string };

interface Finding {
  Rule: { Id: string };
  Message: string;
  Filename: string;
  Location: { Start: { LineNumber: number } };
}

/**
 * Runs cfn-lint (a Python tool, not an npm package) on templates, with the project's
 * `.cfnlintrc.yaml`. Findings read `<file>:<line> <rule> <message>`; `available: false` when
 * cfn-lint is not installed, so a test can say so instead of passing silently.
 */
export async function cfnLint(templatePaths: readonly string[]): Promise<CfnLintResult> {
  try {
    const { stdout } = await run('cfn-lint', ['--format', 'json', '--', ...templatePaths], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { code?: unknown; stdout?: string }) => {
      // cfn-lint exits non-zero when it finds something; its JSON is still on stdout.
      if (typeof error.code === 'number' && typeof error.stdout === 'string') return error;
      throw error;
    });
    const findings = JSON.parse(stdout || '[]') as Finding[];
    return {
      available: true,
      findings: findings.map(
        (f) => `${f.Filename}:${f.Location.Start.LineNumber} ${f.Rule.Id} ${f.Message}`,
      ),
    };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT')
      return {
        available: false,
        reason: 'cfn-lint is not installed (pip install cfn-lint); the templates were not linted',
      };
    throw error;
  }
}

/**
 * cfn-lint's findings on the templates, or, where cfn-lint is missing, the test skipped with a
 * message that says so (a skip in the report, not a silent pass).
 */
export async function cfnLintOrSkip(
  templatePaths: readonly string[],
  context: { skip: (note?: string) => never },
): Promise<readonly string[]> {
  const lint = await cfnLint(templatePaths);
  if (lint.available) return lint.findings;
  console.warn(lint.reason);
  return context.skip(lint.reason);
}
