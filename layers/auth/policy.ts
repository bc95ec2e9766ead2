import * as z from 'zod';
import { modelFieldNames } from '../model/fields.ts';
import type { Caller } from './caller.ts';

const fieldName = z.string().refine((name) => modelFieldNames.has(name), {
  error: (issue) =>
    `"${String(issue.input)}" is not a field of the canonical model: name one listed in layers/model/fields.ts as <entity>.<field>, e.g. "contact.phone".`,
});

/**
 * Fields of the canonical model a role does not see in tools' answers: `withhold` removes them,
 * `mask` replaces their value with a hint (strings) or null (anything else). Rules add up the
 * other way round from grants: a caller sees a field when any of their roles that grants the
 * tool leaves it alone (layers/core/field-rules.ts).
 */
export const fieldRulesSchema = z
  .strictObject({
    withhold: z.array(fieldName).default([]),
    mask: z.array(fieldName).default([]),
  })
  .refine((rules) => !rules.withhold.some((field) => rules.mask.includes(field)), {
    error: 'A field is either withheld or masked, not both: list it in one of the two.',
  });
export type FieldRules = z.output<typeof fieldRulesSchema>;

export const policySchema = z.object({
  /**
   * Derived from the content (layers/policy/policy-content.ts), so it changes whenever the
   * policy does; recorded with confirmations and audit records.
   */
  version: z.string().min(1),
  /** Role whose holders may confirm other users' four-eyes writes and follow any operation. */
  approverRole: z.string().min(1),
  /** Role whose holders may switch systems and tools off and on at run time. */
  adminRole: z.string().min(1),
  /** Role whose holders read the whole audit trail (everyone else reads their own records). */
  auditorRole: z.string().min(1),
  /** Role name → grants. A grant is a tool name, `risk:read`, `risk:write`, `system:<id>` or `*`. */
  roles: z.record(
    z.string(),
    z.object({
      description: z.string(),
      grants: z.array(z.string()),
      /** Model fields this role does not see; absent: every field. */
      fields: fieldRulesSchema.optional(),
    }),
  ),
});
export type Policy = z.output<typeof policySchema> & {
  /**
   * The argument rules' Cedar files of the policy's directory (`*.cedar`), by file name: part of
   * the policy's content and version, evaluated by layers/argument-policy/.
   */
  readonly cedar?: Readonly<Record<string, string>>;
};

/** Where a problem of a policy file is, by its path in the data (`roles.viewer.grants[0]`). */
export type PolicyLineOf = (path: readonly PropertyKey[]) => number | undefined;

const issuePath = (path: readonly PropertyKey[]): string =>
  path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');

/**
 * A policy from data, or an error naming where it came from and every problem with its path, e.g.
 * `roles.viewer.fields.mask[0]`. With `lineOf` (a policy file, layers/policy/policy-yaml.ts), each
 * problem is one line `<source>:<line>: <path>: <problem>`, as compilers write them.
 *
 * @example
 * const policy = parsePolicy(JSON.parse(text), 'policy.json');
 */
export function parsePolicy(
  input: unknown,
  source: string,
  options: { lineOf?: PolicyLineOf } = {},
): Policy {
  const parsed = policySchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { lineOf } = options;
  if (!lineOf)
    throw new Error(`The policy in ${source} does not validate:\n${z.prettifyError(parsed.error)}`);
  const lines = parsed.error.issues.map((issue) => {
    const line = lineOf(issue.path);
    const where = line === undefined ? source : `${source}:${line}`;
    return `${where}: ${issue.path.length > 0 ? `${issuePath(issue.path)}: ` : ''}${issue.message}`;
  });
  throw new Error(`The policy in ${source} does not validate:\n${lines.join('\n')}`);
}

/** The subset of a tool the policy looks at. */
export interface PolicySubject {
  name: string;
  risk: 'read' | 'write';
  systems: readonly string[];
}

/** Whether the caller may confirm a write proposed by `proposer` (and reject a four-eyes one). */
export function mayConfirm(
  policy: Policy,
  caller: Caller,
  proposer: string,
  confirmBy: 'self' | 'approver',
): boolean {
  if (confirmBy === 'self') return caller.sub === proposer;
  return caller.sub !== proposer && caller.roles.includes(policy.approverRole);
}

/** Whether the caller may see an operation: its owner, or an approver. */
export function mayFollow(policy: Policy, caller: Caller, owner: string): boolean {
  return caller.sub === owner || caller.roles.includes(policy.approverRole);
}

/** Whether the caller sees every operation, not only their own: approvers and admins. */
export function mayFollowAll(policy: Policy, caller: Caller): boolean {
  return caller.roles.includes(policy.approverRole) || caller.roles.includes(policy.adminRole);
}

/** Whether the caller reads everyone's audit records, not only their own: auditors. */
export function mayReadAllAudit(policy: Policy, caller: Caller): boolean {
  return caller.roles.includes(policy.auditorRole);
}

const grantMatches = (grant: string, tool: PolicySubject): boolean => {
  if (grant === '*' || grant === tool.name) return true;
  if (grant === `risk:${tool.risk}`) return true;
  if (grant.startsWith('system:')) {
    const system = grant.slice('system:'.length);
    return tool.systems.length > 0 && tool.systems.every((id) => id === system);
  }
  return false;
};

/**
 * Whether the caller may see and call the tool.
 *
 * @example
 * isAllowed(policy, { sub: 'ana', roles: ['support'] }, getCustomerTickets); // true
 */
export function isAllowed(policy: Policy, caller: Caller, tool: PolicySubject): boolean {
  // Roles come from the token: a role named `constructor` is not a key of the policy's prototype.
  return caller.roles.some(
    (role) =>
      Object.hasOwn(policy.roles, role) &&
      (policy.roles[role]?.grants ?? []).some((grant) => grantMatches(grant, tool)),
  );
}
