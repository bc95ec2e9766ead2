import * as z from 'zod';
import type { Caller } from '../auth/caller.ts';
import { isAllowed, type Policy, type PolicySubject } from '../auth/policy.ts';
import { fieldTags } from '../model/fields.ts';
import { snapshotOf } from '../policy/policy-source.ts';
import type { AnyTool } from '../tools/define.ts';
import { describeTool, type ToolDescriptor } from '../tools/descriptor.ts';
import type { ToolResult } from '../tools/tool-runner.ts';

export type FieldAction = 'withhold' | 'mask';

/** A model field a caller does not see, where a tool's answer carries it (`meta.withheld`). */
export interface WithheldField {
  /** Where in `data`: dot path, `[]` for every item of an array, e.g. `customer.contacts[].phone`. */
  path: string;
  /** The model field the policy names, e.g. `contact.phone`. */
  field: string;
  reason: 'withheld' | 'masked';
}

interface PlanNode {
  action?: FieldAction;
  children: Map<string, PlanNode>;
}

/** What the policy hides from one set of roles in one tool's answers; computed once, then reused. */
export interface FieldPlan {
  readonly withheld: readonly WithheldField[];
  readonly tree: PlanNode;
  /** The tool's descriptor as these roles receive it, built on first use. */
  descriptor?: ToolDescriptor;
}

/** The plan of every caller the rules leave alone: applying it costs a length check. */
export const noFieldRules: FieldPlan = Object.freeze({
  withheld: [],
  tree: { children: new Map() },
});

interface Place {
  path: readonly string[];
  field: string;
}

const placesCache = new WeakMap<z.ZodType, readonly Place[]>();

/** Where each tagged model field sits in an output schema (walked once per schema). */
export function fieldPlaces(schema: z.ZodType): readonly Place[] {
  const cached = placesCache.get(schema);
  if (cached) return cached;
  const places: Place[] = [];
  const seen = new Set<string>();
  const walk = (node: z.ZodType, path: readonly string[]) => {
    const field = fieldTags.get(node)?.field;
    const key = `${path.join('.')}=${field}`;
    if (field && path.length > 0 && !seen.has(key)) {
      seen.add(key);
      places.push({ path, field });
    }
    if (node instanceof z.ZodObject) {
      for (const [name, child] of Object.entries(node.shape))
        walk(child as z.ZodType, [...path, name]);
    } else if (node instanceof z.ZodArray) {
      walk(node.element as z.ZodType, [...path, '[]']);
    } else if (
      node instanceof z.ZodNullable ||
      node instanceof z.ZodOptional ||
      node instanceof z.ZodDefault ||
      node instanceof z.ZodReadonly
    ) {
      walk(node.unwrap() as z.ZodType, path);
    } else if (node instanceof z.ZodPipe) {
      walk(node.out as z.ZodType, path);
    } else if (node instanceof z.ZodUnion) {
      for (const option of node.options) walk(option as z.ZodType, path);
    }
  };
  walk(schema, []);
  placesCache.set(schema, places);
  return places;
}

const displayPath = (path: readonly string[]) => path.join('.').replaceAll('.[]', '[]');

function planOf(
  places: readonly Place[],
  actionOf: (place: Place) => FieldAction | undefined,
): FieldPlan {
  const tree: PlanNode = { children: new Map() };
  const withheld: WithheldField[] = [];
  for (const place of places) {
    const action = actionOf(place);
    if (!action) continue;
    let node = tree;
    for (const segment of place.path) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.action = action;
    withheld.push({
      path: displayPath(place.path),
      field: place.field,
      reason: action === 'withhold' ? 'withheld' : 'masked',
    });
  }
  return withheld.length > 0 ? { withheld, tree } : noFieldRules;
}

/** How many role sets × tools are kept: roles come from tokens, so the map must not grow unbounded. */
const MAX_PLANS = 1000;

/**
 * The policy's field rules, resolved per tool and set of roles. Permissions add up: the roles
 * that grant the tool (for a composite tool's part, the tool the part needs) count, and a field
 * is hidden only when every one of them hides it (masked when one masks it, withheld when all
 * withhold it). The admin role sees everything; so does a caller with a granting role without
 * field rules.
 */
export function createFieldRules(policy: Policy) {
  const rulesOf = new Map<string, ReadonlyMap<string, FieldAction>>();
  for (const [role, definition] of Object.entries(policy.roles)) {
    const rules = new Map<string, FieldAction>();
    for (const field of definition.fields?.withhold ?? []) rules.set(field, 'withhold');
    for (const field of definition.fields?.mask ?? []) rules.set(field, 'mask');
    if (rules.size > 0) rulesOf.set(role, rules);
  }
  const plans = new Map<string, FieldPlan>();

  /** The fields hidden from `roles` in what `subject` answers; undefined: none. */
  const hiddenFrom = (
    subject: PolicySubject,
    roles: readonly string[],
  ): ReadonlyMap<string, FieldAction> | undefined => {
    let hidden: Map<string, FieldAction> | undefined;
    for (const role of roles) {
      if (!isAllowed(policy, { sub: '', roles: [role] }, subject)) continue;
      const rules = rulesOf.get(role);
      if (!rules) return undefined;
      if (!hidden) {
        hidden = new Map(rules);
        continue;
      }
      for (const field of [...hidden.keys()]) {
        const other = rules.get(field);
        if (!other) hidden.delete(field);
        else if (other === 'mask') hidden.set(field, 'mask');
      }
    }
    return hidden?.size ? hidden : undefined;
  };

  /**
   * A composite tool's part carries another tool's data, so the roles granting that tool decide
   * its fields: get_customer_context shows a customer as get_customer does.
   */
  const resolve = (tool: AnyTool, roles: readonly string[]): FieldPlan => {
    const own = hiddenFrom(tool, roles);
    const parts = new Map(
      Object.entries((tool.risk === 'read' && tool.parts) || {}).map(([field, part]) => [
        field,
        hiddenFrom({ name: part.needs, risk: 'read', systems: part.systems }, roles),
      ]),
    );
    return planOf(fieldPlaces(tool.output), (place) => {
      const part = place.path[0];
      const hidden = part !== undefined && parts.has(part) ? parts.get(part) : own;
      return hidden?.get(place.field);
    });
  };

  return {
    /**
     * What the caller does not see in the tool's answers. Read tools only: a write's operation
     * result is not a read of the model.
     */
    planFor(tool: AnyTool, caller: Caller): FieldPlan {
      if (rulesOf.size === 0 || tool.risk !== 'read') return noFieldRules;
      if (caller.roles.includes(policy.adminRole)) return noFieldRules;
      const key = `${tool.name}\n${caller.roles.join('\n')}`;
      const known = plans.get(key);
      if (known) return known;
      const plan = resolve(tool, caller.roles);
      if (plans.size >= MAX_PLANS) plans.clear();
      plans.set(key, plan);
      return plan;
    },
  };
}

export type FieldRuleSet = ReturnType<typeof createFieldRules>;

const ruleSets = new WeakMap<Policy, FieldRuleSet>();

/**
 * The field rules of a policy, built once per policy object.
 *
 * @example
 * const plan = fieldRulesOf(defaultPolicy).planFor(getCustomer, { sub: 'vic', roles: ['viewer'] });
 * applyFieldPlan(plan, result).meta.withheld; // [{ path: 'customer.contacts[].email', field: 'contact.email', reason: 'masked' }, …]
 */
export function fieldRulesOf(live: Policy): FieldRuleSet {
  // A live policy (layers/policy/policy-source.ts) is keyed by the policy it answers from now.
  const policy = snapshotOf(live);
  let rules = ruleSets.get(policy);
  if (!rules) {
    rules = createFieldRules(policy);
    ruleSets.set(policy, rules);
  }
  return rules;
}

/**
 * A masked value: a string keeps at most an email's domain (`***@example.com`), or becomes
 * `***`; null stays null (there is nothing to hide); any other value becomes null.
 */
export function maskValue(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== 'string') return null;
  const at = value.lastIndexOf('@');
  return at > 0 ? `***${value.slice(at)}` : '***';
}

function applyNode(value: unknown, node: PlanNode): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = node.children.get('[]');
    return items ? value.map((item) => applyNode(item, items)) : value;
  }
  // A copy: the answer may be a cached entry that other callers read.
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, child] of node.children) {
    if (key === '[]' || !Object.hasOwn(copy, key)) continue;
    if (child.action === 'withhold') delete copy[key];
    else if (child.action === 'mask') copy[key] = maskValue(copy[key]);
    else copy[key] = applyNode(copy[key], child);
  }
  return copy;
}

/** The answer as the plan's caller receives it, the hidden fields named in `meta.withheld`. */
export function applyFieldPlan(plan: FieldPlan, result: ToolResult): ToolResult {
  if (plan.withheld.length === 0) return result;
  return {
    data: applyNode(result.data, plan.tree),
    meta: { ...result.meta, withheld: [...(result.meta.withheld ?? []), ...plan.withheld] },
  };
}

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

const MASK_NOTE =
  'Masked for your role (meta.withheld names it): a string shows at most a hint ("***", "***@example.com"), any other value is null.';

function maskedSchema(schema: JsonSchema): JsonSchema {
  const { description, ...rest } = schema;
  return {
    description: typeof description === 'string' ? `${description} ${MASK_NOTE}` : MASK_NOTE,
    anyOf: [rest, { type: 'null' }],
  };
}

function reduceSchema(schema: JsonSchema, node: PlanNode): void {
  for (const branch of schema.anyOf ?? []) reduceSchema(branch, node);
  const items = node.children.get('[]');
  if (items && schema.items) reduceSchema(schema.items, items);
  const properties = schema.properties;
  if (!properties) return;
  for (const [key, child] of node.children) {
    const property = properties[key];
    if (key === '[]' || !property) continue;
    if (child.action === 'withhold') {
      delete properties[key];
      if (schema.required) schema.required = schema.required.filter((name) => name !== key);
    } else if (child.action === 'mask') properties[key] = maskedSchema(property);
    else reduceSchema(property, child);
  }
}

/**
 * The tool's descriptor as the plan's caller receives it: withheld fields are not in the output
 * schema, masked ones say so.
 *
 * @example
 * describeToolFor(getCustomer, fieldRulesOf(policy).planFor(getCustomer, caller)).outputSchema;
 */
export function describeToolFor(tool: AnyTool, plan: FieldPlan): ToolDescriptor {
  if (plan.withheld.length === 0) return describeTool(tool);
  if (plan.descriptor) return plan.descriptor;
  const full = describeTool(tool);
  const outputSchema = structuredClone(full.outputSchema) as JsonSchema;
  reduceSchema(outputSchema, plan.tree);
  plan.descriptor = { ...full, outputSchema };
  return plan.descriptor;
}
