import {
  ArgumentNotAllowedError,
  type ArgumentRulesView,
} from '../argument-policy/argument-rules.ts';
import { isAllowed, type Policy } from '../auth/policy.ts';
import { ConflictError } from '../errors/index.ts';
import type { AnyWriteTool, ToolContext } from '../tools/define.ts';
import type { Confirmation } from './confirmation-store.ts';
import { confirmByOf } from './propose.ts';

/** Who confirms, from the least to the most demanding. */
const LEVEL = { self: 0, approver: 1 } as const;

const stale = (message: string) =>
  new ConflictError(
    'confirmation_stale',
    `${message} The policy changed since this write was proposed; propose it again to get a confirmation under the current one.`,
  );

/**
 * A confirming instance has no systems to read from: a fact a new rule names that the proposal did
 * not record, and that needs a system to read, is left out, and a rule naming it refuses.
 */
const NO_SYSTEMS = new Proxy({} as ToolContext, {
  get: () => {
    throw new Error('no systems are read when a write is confirmed');
  },
});

/** The facts the current rules name: those the proposal recorded, the rest read from input and preview. */
async function factsOf(
  rules: ArgumentRulesView,
  tool: AnyWriteTool,
  confirmation: Confirmation,
): Promise<Readonly<Record<string, unknown>>> {
  const recorded = confirmation.facts ?? {};
  if (rules.factsFor(tool).every((name) => Object.hasOwn(recorded, name))) return recorded;
  try {
    const read = await rules.factsOf(tool, {
      ctx: NO_SYSTEMS,
      input: confirmation.input,
      preview: confirmation.preview,
    });
    return { ...read, ...recorded };
  } catch {
    return recorded;
  }
}

/**
 * Decides a write proposed under another policy version again, under the current one, so that a
 * rollout (instances holding two versions for up to POLICY_REFRESH_SECONDS) or an unrelated edit
 * does not void pending confirmations: the tool must still be granted to the proposer's recorded
 * roles, no argument rule may now refuse the recorded input, and who confirms must be the same or
 * less demanding. Otherwise it throws 409 `confirmation_stale` saying what changed.
 *
 * @example
 * await decideAgain(policy, argumentRules, createOrder, confirmation); // throws when now stricter
 */
export async function decideAgain(
  policy: Policy,
  rules: ArgumentRulesView | undefined,
  tool: AnyWriteTool,
  confirmation: Confirmation,
): Promise<void> {
  const proposer = { sub: confirmation.sub, roles: confirmation.roles ?? [] };
  if (!isAllowed(policy, proposer, tool)) {
    const roles = proposer.roles.length > 0 ? proposer.roles.join(', ') : 'none recorded';
    throw stale(`"${tool.name}" is no longer granted to the proposer's roles (${roles}).`);
  }
  let confirmBy = tool.confirmBy;
  let by = '';
  if (rules?.mentions(tool.name)) {
    try {
      const decision = await rules.check(
        tool,
        proposer,
        confirmation.input,
        await factsOf(rules, tool, confirmation),
      );
      if (decision.confirmBy) {
        confirmBy = decision.confirmBy;
        by = ` (argument rule ${decision.rules.map((rule) => `"${rule.id}"`).join(', ')})`;
      }
    } catch (error) {
      if (!(error instanceof ArgumentNotAllowedError)) throw error;
      throw stale(
        `The argument rule "${error.rule.id}" now refuses this "${tool.name}" write${error.rule.allows ? `; it allows ${error.rule.allows}` : ''}.`,
      );
    }
  }
  if (LEVEL[confirmBy] > LEVEL[confirmByOf(confirmation, tool)]) {
    throw stale(
      `"${tool.name}" now needs an approver${by}: a user with the ${policy.approverRole} role other than the proposer must confirm it.`,
    );
  }
}
