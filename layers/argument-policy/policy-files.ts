import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyFile } from './argument-rules.ts';

/**
 * Where the deployment's policy files are, relative to the working directory: the repository
 * root locally, the function's code directory on Lambda (infra/bundling.ts copies them there).
 */
export const POLICY_DIR = 'infra/policy';

/**
 * The Cedar files of a policy directory (`*.cedar`), by name; none when it does not exist.
 *
 * @example
 * const rules = argumentRulesOf(readCedarFiles('infra/policy'), registry.all);
 */
export function readCedarFiles(dir: string = POLICY_DIR): PolicyFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cedar'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}
