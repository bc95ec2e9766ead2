import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExplainError, explainPolicy } from '#layers/core/explain-policy.ts';
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
    process.stdout.write(`${explanation.lines.join('\n')}\n`);
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
