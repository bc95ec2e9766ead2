import { NestedStack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AnyTool } from '../../layers/tools/define.ts';
import { pascal } from '../constructs/names.ts';

/**
 * The most tools a nested stack holds. A read tool is 9 resources there (function, role, policy,
 * log group, route, integration, two invoke permissions, audit subscription), a write tool 17 (its
 * saga step function and state machine too, each with role, policy and log group): twenty write
 * tools and their error alarms stay under 400 of the 500.
 */
export const TOOLS_PER_STACK = 20;

/**
 * Nested stacks of the API stack for the tools' functions, one per system (the tool's first
 * system), a system with more than `perStack` tools split in several (`ToolsFacilities`,
 * `ToolsFacilities2`, …): the API stack keeps one resource per nested stack, and a company
 * importing a system adds a stack, not 9 resources a tool to the API stack's 500.
 *
 * A tool stays in its system's stack as tools are added elsewhere, so its functions keep their
 * logical IDs; only a system past `perStack` tools moves some of its tools to its next stack.
 *
 * @example
 * const stackOf = toolStacks(this, tools);
 * stackOf.get('create_order'); // the ToolsErp nested stack
 */
export function toolStacks(
  scope: Construct,
  tools: readonly AnyTool[],
  perStack: number = TOOLS_PER_STACK,
): ReadonlyMap<string, NestedStack> {
  const bySystem = new Map<string, AnyTool[]>();
  for (const tool of tools) {
    const system = tool.systems[0] ?? 'none';
    bySystem.set(system, [...(bySystem.get(system) ?? []), tool]);
  }
  const stackOf = new Map<string, NestedStack>();
  for (const [system, members] of bySystem) {
    for (let start = 0; start < members.length; start += perStack) {
      const part = start / perStack;
      const group = members.slice(start, start + perStack);
      const stack = new NestedStack(scope, `Tools${pascal(system)}${part === 0 ? '' : part + 1}`, {
        description: `Toolgate: functions, routes and sagas of the ${system} tools${part === 0 ? '' : ` (part ${part + 1})`}`,
      });
      for (const tool of group) stackOf.set(tool.name, stack);
    }
  }
  return stackOf;
}
