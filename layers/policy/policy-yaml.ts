import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Policy } from '../auth/policy.ts';
import { type PolicyDocument, policyFromDocument } from './policy-content.ts';

/** A policy file and what it holds: the document (for a deployment) and its validated policy. */
export interface LoadedPolicyFile {
  readonly document: PolicyDocument;
  readonly policy: Policy;
}

/**
 * Reads a policy file's text (YAML) into its document and validated policy. Every problem names
 * the file and line, e.g. `infra/policy/policy.yaml:14: roles.viewer.fields.mask[0]: "contact.fax"
 * is not a field of the canonical model: …`; a syntax error names line and column.
 *
 * The argument rules (`*.cedar` beside the file) join the document under `cedar`:
 * `loadPolicyText(text, file, { cedar })`; `loadPolicyFile` reads them.
 *
 * @example
 * const { policy } = loadPolicyText(readFileSync(file, 'utf8'), file);
 */
export function loadPolicyText(
  text: string,
  file: string,
  extra: Pick<PolicyDocument, 'cedar'> = {},
): LoadedPolicyFile {
  const lineCounter = new LineCounter();
  const yaml = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const [error] = yaml.errors;
  if (error) {
    const position = error.linePos?.[0];
    const where = position ? `${file}:${position.line}:${position.col}` : file;
    throw new Error(
      `The policy in ${file} does not validate:\n${where}: ${error.message.split('\n')[0]}`,
    );
  }
  const content = yaml.toJS() as unknown;
  if (content === null || typeof content !== 'object' || Array.isArray(content))
    throw new Error(
      `The policy in ${file} does not validate:\n${file}:1: the file must hold a mapping with approverRole, adminRole, auditorRole and roles.`,
    );
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    // The node at the path, or the nearest one above it that the file has (a missing key).
    for (let depth = path.length; depth >= 0; depth--) {
      const node = yaml.getIn(path.slice(0, depth) as unknown[], true) as
        | { range?: [number, number, number] }
        | undefined;
      const offset = node?.range?.[0];
      if (offset !== undefined) return lineCounter.linePos(offset).line;
    }
    return undefined;
  };
  const document: PolicyDocument = { policy: content, ...extra };
  return { document, policy: policyFromDocument(document, file, { lineOf }) };
}

/** The `*.cedar` files of a directory, by name (the argument rules beside a policy file). */
function cedarBeside(file: string): Record<string, string> {
  const dir = dirname(file);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.cedar'))
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

/**
 * Reads and validates a policy file (see `loadPolicyText`) with the argument rules (`*.cedar`)
 * beside it; errors name it `shownAs`.
 *
 * @example
 * const { policy } = loadPolicyFile('infra/policy/policy.yaml');
 */
export function loadPolicyFile(file: string, shownAs: string = file): LoadedPolicyFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new Error(
      `The policy file ${shownAs} cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}): check the path.`,
    );
  }
  return loadPolicyText(text, shownAs, { cedar: cedarBeside(file) });
}
