import type { Caller } from '../auth/caller.ts';
import { isAllowed, type Policy } from '../auth/policy.ts';
import { type AnyTool, confirmAtOf, isWriteTool } from '../tools/define.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import { fieldRulesOf } from './field-rules.ts';

/** What a caller may do with a tool under a policy, and why; each line for a person to read. */
export interface PolicyExplanation {
  readonly allowed: boolean;
  /** Whether the input validates against the tool's input schema (undefined: none given). */
  readonly inputValid: boolean | undefined;
  readonly lines: readonly string[];
}

/** A question `explainPolicy` cannot answer: an unknown tool or role. */
export class ExplainError extends Error {
  override readonly name = 'ExplainError';
}

/** Levenshtein distance: a misspelt tool name is a few edits from the right one. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length] ?? 0;
}

const grantsOf = (policy: Policy, role: string, tool: AnyTool): string[] =>
  (policy.roles[role]?.grants ?? []).filter((grant) =>
    isAllowed(
      { ...policy, roles: { [role]: { description: '', grants: [grant] } } },
      {
        sub: '',
        roles: [role],
      },
      tool,
    ),
  );

/**
 * Says what `caller` may do with the tool named `toolName` and why: which role and grant allows
 * it (or that none does, and which grants would), who confirms a write and where, which fields
 * of its answer the caller's roles do not see, and whether `input` validates (naming bad fields).
 *
 * @example
 * explainPolicy(policy, registry, { sub: 'vic', roles: ['viewer'] }, 'get_customer', { id: '1' }).lines;
 */
export function explainPolicy(
  policy: Policy,
  registry: ToolRegistry,
  caller: Caller,
  toolName: string,
  input?: unknown,
): PolicyExplanation {
  const tool = registry.get(toolName);
  if (!tool) {
    const near = registry.all
      .map((candidate) => candidate.name)
      .filter((name) => editDistance(name, toolName) <= 2);
    throw new ExplainError(
      `Unknown tool "${toolName}".${near.length > 0 ? ` Did you mean ${near.join(', ')}?` : ''} The tools are: ${registry.all.map((candidate) => candidate.name).join(', ')}.`,
    );
  }
  const unknown = caller.roles.filter((role) => !Object.hasOwn(policy.roles, role));
  if (unknown.length > 0)
    throw new ExplainError(
      `Unknown role ${unknown.map((role) => `"${role}"`).join(', ')}: the policy's roles are ${Object.keys(policy.roles).join(', ')}.`,
    );
  const lines: string[] = [
    `${tool.name} (${tool.risk}, systems: ${tool.systems.join(', ') || 'none'}) for ${caller.sub} with roles ${caller.roles.join(', ') || '(none)'}, policy ${policy.version}:`,
  ];
  const granting = caller.roles.flatMap((role) =>
    grantsOf(policy, role, tool).map((grant) => `role ${role} grants "${grant}"`),
  );
  const allowed = granting.length > 0;
  if (allowed) lines.push(`- Allowed: ${granting.join('; ')}.`);
  else
    lines.push(
      `- Not allowed: none of these roles grants it. A grant of "${tool.name}", ${tool.systems.length === 1 ? `"system:${tool.systems[0]}", ` : ''}"risk:${tool.risk}" or "*" would. Roles that have one: ${
        Object.keys(policy.roles)
          .filter((role) => grantsOf(policy, role, tool).length > 0)
          .join(', ') || 'none'
      }.`,
    );
  if (allowed && isWriteTool(tool)) {
    const where =
      confirmAtOf(tool) === 'conversation'
        ? 'in the conversation (the agent may relay the yes) or in the console'
        : "by a person in their own session (the console or the approveUrl), never with an agent's token";
    lines.push(
      tool.confirmBy === 'approver'
        ? `- A call proposes the write; another user with the ${policy.approverRole} role confirms it (four eyes), ${where}.`
        : `- A call proposes the write; ${caller.sub} confirms it themselves, ${where}.`,
    );
  }
  if (allowed) {
    const plan = fieldRulesOf(policy).planFor(tool, caller);
    if (plan.withheld.length === 0)
      lines.push('- Fields: the answer shows every field to these roles.');
    for (const field of plan.withheld)
      lines.push(`- Field ${field.field} at ${field.path}: ${field.reason}.`);
    const parts = isWriteTool(tool) ? {} : (tool.parts ?? {});
    for (const [output, part] of Object.entries(parts))
      if (!isAllowed(policy, caller, { name: part.needs, risk: 'read', systems: part.systems }))
        lines.push(`- Part ${output}: null, its tool ${part.needs} is not granted to these roles.`);
  }
  let inputValid: boolean | undefined;
  if (input !== undefined) {
    const parsed = tool.input.safeParse(input);
    inputValid = parsed.success;
    if (parsed.success) lines.push('- Input: valid.');
    else
      for (const issue of parsed.error.issues)
        lines.push(`- Input ${issue.path.join('.') || '(the whole input)'}: ${issue.message}.`);
  }
  return { allowed, inputValid, lines };
}
