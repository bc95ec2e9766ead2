import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { argumentRulesOf } from '#layers/argument-policy/argument-rules.ts';
import type { Caller } from '#layers/auth/caller.ts';
import { isAllowed, type Policy } from '#layers/auth/policy.ts';
import { ExplainError, explainPolicy } from '#layers/core/explain-policy.ts';
import { cedarFilesOf } from '#layers/policy/policy-content.ts';
import { defaultPolicyFile, displayPath } from '#layers/policy/policy-file.ts';
import { loadPolicyFile } from '#layers/policy/policy-yaml.ts';
import { registry } from '#layers/tools/registry.ts';

const usage = `Usage:
  npm run policy -- check [file]
      Validates a policy file (default infra/policy/policy.yaml) and prints its version.
  npm run policy -- explain --sub <user> --roles <role1,role2> --tool <name> [--input <json>] [--file <policy file>]
      Says what that caller may do with that tool and why, and validates the input against the tool's input schema.
Exit status: 0 done (explain: allowed or not), 1 the file or the input does not validate, 2 a usage error.`;

/** Exit status 2: the command was asked wrongly; 1: what it checked does not validate. */
class UsageError extends Error {}

/**
 * The argument rules (infra/policy/*.cedar) that name the tool, and what they decide about this
 * input when the input alone decides it (rules reading facts from the systems decide at call time).
 */
async function argumentRuleLines(
  policy: Policy,
  caller: Caller,
  toolName: string,
  input: unknown,
): Promise<string[]> {
  const tool = registry.get(toolName);
  if (!tool || !isAllowed(policy, caller, tool)) return [];
  const rules = argumentRulesOf(cedarFilesOf(policy), registry.all);
  const named = rules.rules.filter((rule) => rule.tools === 'all' || rule.tools.has(tool.name));
  if (named.length === 0) return ['- Argument rules: none names this tool.'];
  const lines = named.map(
    (rule) =>
      `- Argument rule ${rule.id} (${rule.file}:${rule.line})${rule.needs ? ' raises the write to four eyes when it matches' : ' refuses the call when it matches'}; it allows ${rule.allows ?? 'what it does not forbid'}.`,
  );
  if (input === undefined) return lines;
  const parsed = tool.input.safeParse(input);
  if (!parsed.success) return lines;
  const facts = rules.factsFor(tool);
  if (facts.length > 0)
    return [
      ...lines,
      `- With this input: the rules also read ${facts.join(', ')} from the systems, so they decide when the call is made.`,
    ];
  try {
    const decision = await rules.check(tool, caller, parsed.data);
    return [
      ...lines,
      decision.confirmBy === 'approver'
        ? `- With this input: ${decision.rules.map((rule) => rule.id).join(', ')} raises it to four eyes (another user with the ${policy.approverRole} role confirms it).`
        : '- With this input: no argument rule refuses it.',
    ];
  } catch (error) {
    return [...lines, `- With this input: refused. ${(error as Error).message}`];
  }
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'check') {
    const file = resolve(rest[0] ?? defaultPolicyFile);
    const { policy } = loadPolicyFile(file, displayPath(file));
    process.stdout.write(
      `${displayPath(file)} is valid: version ${policy.version}, roles ${Object.keys(policy.roles).join(', ')}.\n`,
    );
  } else if (command === 'explain') {
    const { values } = parseArgs({
      args: rest,
      options: {
        sub: { type: 'string' },
        roles: { type: 'string', default: '' },
        tool: { type: 'string' },
        input: { type: 'string' },
        file: { type: 'string' },
      },
    });
    if (!values.sub) throw new UsageError('--sub is required');
    if (!values.tool) throw new UsageError('--tool is required');
    let input: unknown;
    if (values.input !== undefined) {
      try {
        input = JSON.parse(values.input);
      } catch (error) {
        throw new UsageError(`--input is not JSON: ${(error as Error).message}`);
      }
    }
    const file = resolve(values.file ?? defaultPolicyFile);
    const { policy } = loadPolicyFile(file, displayPath(file));
    const roles = values.roles
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean);
    const explanation = explainPolicy(
      policy,
      registry,
      { sub: values.sub, roles },
      values.tool,
      input,
    );
    const caller = { sub: values.sub, roles };
    const lines = [
      ...explanation.lines,
      ...(await argumentRuleLines(policy, caller, values.tool, input)),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (explanation.inputValid === false) process.exitCode = 1;
  } else {
    throw new UsageError(command ? `Unknown command "${command}".` : 'Name a command.');
  }
} catch (error) {
  const usageProblem = error instanceof UsageError || error instanceof ExplainError;
  process.stderr.write(
    `${(error as Error).message}\n${error instanceof UsageError ? `${usage}\n` : ''}`,
  );
  process.exitCode =
    usageProblem || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
}
