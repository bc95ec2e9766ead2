import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SystemDefinition } from '../connectors/system-definition.ts';
import { checkStatement } from '../sql/statement-check.ts';
import { isSqlTool } from './sql-tool.ts';

/**
 * The build-time check of every SQL tool (tests, synth, local mode's start): each reads a database
 * system of the registry, through one SELECT over that system's allow-listed views, with input
 * only in `$1..$n`. Answers one line per problem, naming the declaration file and line; none when
 * all are sound.
 *
 * @example
 * const problems = await checkSqlTools(tools, systems, process.cwd());
 * if (problems.length > 0) throw new Error(problems.join('\n'));
 */
export async function checkSqlTools(
  tools: readonly { name: string }[],
  systems: readonly SystemDefinition[],
  root: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const tool of tools) {
    if (!isSqlTool(tool)) continue;
    const { file, text, parameters } = tool.sql;
    const system = systems.find(({ id }) => id === tool.sql.system);
    if (!system?.database) {
      problems.push(
        `${file}: "system": "${tool.sql.system}" is not a database system of layers/systems/registry.ts`,
      );
      continue;
    }
    const found = await checkStatement(text, { views: system.database.views, parameters });
    if (found.length === 0) continue;
    const firstLine = await statementLine(resolve(root, file));
    for (const problem of found) {
      const where =
        problem.line === undefined
          ? 'statement'
          : firstLine === undefined
            ? `statement line ${problem.line}`
            : `line ${firstLine + problem.line - 1}`;
      problems.push(`${file}:${where}: the statement ${problem.message}`);
    }
  }
  return problems;
}

/**
 * The file line of a declaration's statement: that of `"statement"` for one string, the line after
 * it for lines (one per line, as the formatter writes them).
 */
async function statementLine(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const index = lines.findIndex((line) => /^\s*"statement"\s*:/.test(line));
  if (index < 0) return undefined;
  return /:\s*\[\s*$/.test(lines[index] ?? '') ? index + 2 : index + 1;
}
