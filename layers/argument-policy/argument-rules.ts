import type { Caller } from '../auth/caller.ts';
import { AppError, type ErrorCategory } from '../errors/index.ts';
import type { AnyTool, PolicyFact } from '../tools/define.ts';
import { type Cedar, cedarEngine } from './cedar-engine.ts';
import {
  CALLER_TYPE,
  cedarSchemaOf,
  contextValueOf,
  factValueOf,
  TOOL_TYPE,
} from './cedar-schema.ts';
import {
  annotationsOf,
  lineAt,
  type PolicySource,
  splitPolicies,
  stripComments,
  toolsNamed,
} from './policy-text.ts';

/** A policy file's name and text, e.g. `{ name: 'orders.cedar', text }`. */
export interface PolicyFile {
  name: string;
  text: string;
}

/** One argument rule: a Cedar `forbid` policy and what its annotations say. */
export interface ArgumentRule {
  /** `@id`: the name a denial and the audit trail give. */
  id: string;
  file: string;
  line: number;
  /** `@allows`: what the rule does allow, told to whoever it refuses. */
  allows?: string;
  /** `@needs("approver")`: the write is not refused but needs an approver (four eyes). */
  needs?: 'approver';
  /** The tools its scope names; `all` when it leaves the action open. */
  tools: ReadonlySet<string> | 'all';
  text: string;
}

/** What the rules decide about a call they let through. */
export interface ArgumentDecision {
  /** Raised by a `@needs("approver")` rule: the write needs a second person. */
  confirmBy?: 'approver';
  /** The rules that matched (escalations only: a refusal throws). */
  rules: readonly ArgumentRule[];
}

/** A policy file that does not validate: the message names file, line and problem, one a line. */
export class ArgumentPolicyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The argument rules do not validate:\n${problems.join('\n')}`);
    this.name = 'ArgumentPolicyError';
  }
}

/** A call an argument rule refuses: 403 `argument_not_allowed`, naming the rule and what it allows. */
export class ArgumentNotAllowedError extends AppError {
  readonly code = 'argument_not_allowed';
  readonly statusCode = 403;
  readonly category: ErrorCategory = 'authorization';
  constructor(
    readonly rule: Pick<ArgumentRule, 'id' | 'allows'>,
    tool: string,
  ) {
    super(
      `The argument rule "${rule.id}" does not allow this ${tool} call.${rule.allows ? ` It allows: ${rule.allows}.` : ''} Change the input to fit the rule, or ask a user whose role it allows.`,
    );
  }
}

const BASE_POLICY = 'toolgate_permit_granted';
let policySets = 0;

/** The rule a policy's text describes, read without the Cedar engine; validation checks it. */
const ruleOf = (source: PolicySource): ArgumentRule => {
  const annotations = annotationsOf(source.text);
  return {
    id: annotations.id ?? `${source.file}:${source.line}`,
    file: source.file,
    line: source.line,
    ...(annotations.allows ? { allows: annotations.allows } : {}),
    ...(annotations.needs === 'approver' ? { needs: 'approver' as const } : {}),
    tools: toolsNamed(source.text),
    text: source.text,
  };
};

/**
 * The deployment's argument rules: Cedar `forbid` policies on tools' input values, checked before
 * a read runs or a write is proposed. Which tools they name is read from the text alone, so only
 * calls to those tools load the Cedar engine. `validate` (synth, `npm test`, `npm start`) checks
 * them against the tools' schema; a running gateway compiles them on the first call they concern.
 */
export class ArgumentRules {
  readonly rules: readonly ArgumentRule[];
  private readonly byId: ReadonlyMap<string, ArgumentRule>;
  private readonly named: ReadonlySet<string> | 'all';
  private prepared: Promise<{ cedar: Cedar; setId: string }> | undefined;

  constructor(
    readonly sources: readonly PolicySource[],
    private readonly tools: readonly AnyTool[],
  ) {
    this.rules = sources.map(ruleOf);
    this.byId = new Map(this.rules.map((rule) => [rule.id, rule]));
    const named = new Set<string>();
    let all = false;
    for (const rule of this.rules) {
      if (rule.tools === 'all') all = true;
      else for (const name of rule.tools) named.add(name);
    }
    this.named = all ? 'all' : named;
  }

  /** Whether any rule may apply to the tool: a call to any other pays nothing. */
  mentions(toolName: string): boolean {
    return this.named === 'all' ? this.rules.length > 0 : this.named.has(toolName);
  }

  /** The facts of the tool that its rules name (`context.<fact>`): only these are read. */
  factsFor(tool: AnyTool): string[] {
    if (!tool.facts || !this.mentions(tool.name)) return [];
    const text = this.rules
      .filter((rule) => rule.tools === 'all' || rule.tools.has(tool.name))
      .map((rule) => stripComments(rule.text))
      .join('\n');
    return Object.keys(tool.facts).filter((fact) =>
      new RegExp(`context\\s*\\.\\s*${fact}\\b|has\\s+${fact}\\b`).test(text),
    );
  }

  /**
   * Checks every rule (loads the Cedar engine): syntax, annotations, and against the schema of
   * the tools (an unknown tool or input field). Throws ArgumentPolicyError naming file and line.
   */
  async validate(): Promise<void> {
    const cedar = await cedarEngine();
    const problems: string[] = [];
    const where = (source: PolicySource, offset = 0) =>
      `${source.file}:${source.line + lineAt(source.text, offset) - 1}`;
    const seen = new Map<string, ArgumentRule>();
    const valid: ArgumentRule[] = [];
    this.sources.forEach((source, index) => {
      const rule = this.rules[index] as ArgumentRule;
      const parsed = cedar.policyToJson(source.text);
      if (parsed.type === 'failure') {
        for (const error of parsed.errors) {
          const at = error.sourceLocations?.[0]?.start ?? 0;
          problems.push(`${where(source, at)}: ${error.message}${helpOf(error.help)}`);
        }
        return;
      }
      const annotations = annotationsOf(source.text);
      const problem = ruleProblem(parsed.json.effect, annotations, rule, seen, this.tools);
      if (problem) {
        problems.push(`${where(source)}: ${problem}`);
        return;
      }
      seen.set(rule.id, rule);
      valid.push(rule);
    });
    // The rules that passed so far are checked against the schema too: every problem at once.
    if (valid.length > 0) {
      const validated = cedar.validate({
        schema: cedarSchemaOf(this.tools) as never,
        policies: { staticPolicies: Object.fromEntries(valid.map((rule) => [rule.id, rule.text])) },
        validationSettings: { mode: 'strict' },
      });
      if (validated.type === 'failure') {
        problems.push(...validated.errors.map((error) => `policy schema: ${error.message}`));
      } else {
        for (const { policyId, error } of validated.validationErrors) {
          const index = this.rules.findIndex((rule) => rule.id === policyId);
          const source = this.sources[index];
          const at = error.sourceLocations?.[0]?.start ?? 0;
          problems.push(
            `${source ? where(source, at) : policyId}: ${error.message.replace(/^for policy `[^`]*`, /, '')}${helpOf(error.help)}`,
          );
        }
      }
    }
    if (problems.length > 0) throw new ArgumentPolicyError(problems.sort(byPlace));
  }

  /** The rules, parsed once into the engine's cache (validated at synth, test or start). */
  private prepare(): Promise<{ cedar: Cedar; setId: string }> {
    this.prepared ??= (async () => {
      const cedar = await cedarEngine();
      const setId = `argument-rules-${++policySets}`;
      const prepared = cedar.preparsePolicySet(setId, {
        staticPolicies: {
          [BASE_POLICY]: 'permit (principal, action, resource);',
          ...Object.fromEntries(this.rules.map((rule) => [rule.id, rule.text])),
        },
      });
      if (prepared.type === 'failure')
        throw new ArgumentPolicyError(prepared.errors.map((error) => error.message));
      return { cedar, setId };
    })();
    return this.prepared;
  }

  /**
   * Decides a call: throws ArgumentNotAllowedError naming the rule that refuses it, or answers
   * whether a rule raises the write to four eyes. A rule that cannot be evaluated refuses.
   *
   * @example
   * const { confirmBy } = await rules.check(createOrder, caller, input, { amount: 1200 });
   */
  async check(
    tool: AnyTool,
    caller: Caller,
    input: unknown,
    facts: Readonly<Record<string, unknown>> = {},
  ): Promise<ArgumentDecision> {
    const { cedar, setId } = await this.prepare();
    const byId = this.byId;
    const principal = { type: CALLER_TYPE, id: caller.sub };
    const answer = cedar.statefulIsAuthorized({
      principal,
      action: { type: 'Action', id: tool.name },
      resource: { type: TOOL_TYPE, id: tool.name },
      context: {
        ...(contextValueOf(tool.input, input) as Record<string, never>),
        ...(facts as Record<string, never>),
      },
      preparsedPolicySetId: setId,
      entities: [
        { uid: principal, attrs: { sub: caller.sub, roles: [...caller.roles] }, parents: [] },
      ],
    });
    if (answer.type === 'failure') {
      throw new Error(
        `argument rules could not be evaluated: ${answer.errors.map((e) => e.message).join('; ')}`,
      );
    }
    const { decision, diagnostics } = answer.response;
    // A forbid rule that fails to evaluate would let the call through: refuse instead.
    const failed = diagnostics.errors[0];
    if (failed) {
      throw new ArgumentNotAllowedError(
        byId.get(failed.policyId) ?? { id: failed.policyId },
        tool.name,
      );
    }
    if (decision === 'allow') return { rules: [] };
    const matched = diagnostics.reason.flatMap((id) => byId.get(id) ?? []);
    const refusing = matched.find((rule) => !rule.needs || tool.risk === 'read');
    if (refusing || matched.length === 0) {
      throw new ArgumentNotAllowedError(refusing ?? { id: 'unknown' }, tool.name);
    }
    return { confirmBy: 'approver', rules: matched };
  }

  /**
   * Reads the facts of the tool that its rules name, from the call's input, connectors and (for a
   * write) preview.
   */
  async factsOf(
    tool: AnyTool,
    source: Parameters<PolicyFact['value']>[0],
  ): Promise<Record<string, unknown>> {
    const names = this.factsFor(tool);
    const facts = (tool.facts ?? {}) as Record<string, PolicyFact>;
    const values = await Promise.all(names.map((name) => facts[name]?.value(source)));
    return Object.fromEntries(
      names.flatMap((name, index) => {
        const value = factValueOf(facts[name], values[index]);
        return value === undefined || value === null ? [] : [[name, value]];
      }),
    );
  }
}

/** Orders `file:line: problem` lines by file, then line. */
const byPlace = (a: string, b: string): number => {
  const place = (text: string) => /^([^:]*):(\d+)/.exec(text) ?? ['', text, '0'];
  const [, fileA = '', lineA = '0'] = place(a);
  const [, fileB = '', lineB = '0'] = place(b);
  return fileA.localeCompare(fileB) || Number(lineA) - Number(lineB);
};

const helpOf = (help: string | null) => (help ? ` (${help})` : '');

/** What is wrong with a parsed rule's effect and annotations, if anything. */
function ruleProblem(
  effect: string,
  annotations: Record<string, string>,
  rule: ArgumentRule,
  seen: ReadonlyMap<string, ArgumentRule>,
  tools: readonly AnyTool[],
): string | undefined {
  if (effect !== 'forbid')
    return 'argument rules are `forbid` policies: a call the role grants allow is permitted unless a rule forbids it, so a `permit` adds nothing.';
  const id = annotations.id;
  if (!id || !/^[a-z0-9][a-z0-9_.-]{0,79}$/.test(id))
    return 'give the rule a name a denial can show: @id("orders-limit") (lower case letters, digits, - _ .; up to 80).';
  const first = seen.get(id);
  if (first || id === BASE_POLICY)
    return `@id("${id}") is taken${first ? ` by ${first.file}:${first.line}` : ''}: give each rule its own.`;
  const needs = annotations.needs;
  if (needs === undefined) return undefined;
  if (needs !== 'approver')
    return `@needs takes "approver" (the write needs a second person), not "${needs}".`;
  const reads =
    rule.tools === 'all'
      ? ['every tool']
      : [...rule.tools].filter((name) => tools.find((tool) => tool.name === name)?.risk === 'read');
  return reads.length > 0
    ? `@needs("approver") applies to write tools only; the rule names ${reads.join(', ')}. Name write tools in its scope (action == Action::"create_order").`
    : undefined;
}

/**
 * The argument rules of these files for these tools, validated and compiled: rejects with an
 * ArgumentPolicyError naming file, line and problem (an unknown tool or input field, a syntax
 * error). Synth, `npm test` and `npm start` call it; a running gateway may use `argumentRulesOf`,
 * which defers that work to the first call of a tool the rules name.
 *
 * @example
 * const rules = await loadArgumentRules([{ name: 'orders.cedar', text }], registry.all);
 */
export async function loadArgumentRules(
  files: readonly PolicyFile[],
  tools: readonly AnyTool[],
): Promise<ArgumentRules> {
  const rules = argumentRulesOf(files, tools);
  await rules.validate();
  return rules;
}

/** The argument rules of these files, compiled on first use (see `loadArgumentRules`). */
export function argumentRulesOf(
  files: readonly PolicyFile[],
  tools: readonly AnyTool[],
): ArgumentRules {
  return new ArgumentRules(
    files.flatMap((file) => splitPolicies(file.name, file.text)),
    tools,
  );
}

/** What the tool-call core asks of the argument rules. */
export type ArgumentRulesView = Pick<ArgumentRules, 'mentions' | 'factsFor' | 'factsOf' | 'check'>;

const NO_CEDAR: Readonly<Record<string, string>> = {};

/**
 * The argument rules of the policy current at each call: `cedarOf` answers the current policy's
 * Cedar files (file name → text), and a new set of files (a policy change) gets rules of its own,
 * compiled on first use; an unchanged set keeps its compiled rules.
 *
 * @example
 * const rules = liveArgumentRules(() => snapshotOf(policy).cedar, registry.all);
 */
export function liveArgumentRules(
  cedarOf: () => Readonly<Record<string, string>> | undefined,
  tools: readonly AnyTool[],
): ArgumentRulesView {
  let files: Readonly<Record<string, string>> | undefined;
  let rules: ArgumentRules | undefined;
  const current = (): ArgumentRules => {
    const now = cedarOf() ?? NO_CEDAR;
    if (!rules || now !== files) {
      files = now;
      rules = argumentRulesOf(
        Object.keys(now)
          .sort()
          .map((name) => ({ name, text: now[name] ?? '' })),
        tools,
      );
    }
    return rules;
  };
  return {
    mentions: (toolName) => current().mentions(toolName),
    factsFor: (tool) => current().factsFor(tool),
    factsOf: (...args) => current().factsOf(...args),
    check: (...args) => current().check(...args),
  };
}
