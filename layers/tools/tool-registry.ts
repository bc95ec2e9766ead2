import type { AnyTool } from './define.ts';

/** Read access to the registered tools. */
export interface ToolRegistry {
  readonly all: readonly AnyTool[];
  get(name: string): AnyTool | undefined;
}

/**
 * Builds a registry, refusing duplicate names.
 *
 * @example
 * const registry = createRegistry([searchCustomers, getCustomer]);
 * registry.get('get_customer');
 */
export function createRegistry(tools: readonly AnyTool[]): ToolRegistry {
  const byName = new Map<string, AnyTool>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new Error(`Duplicate tool name: ${tool.name}`);
    byName.set(tool.name, tool);
  }
  return { all: tools, get: (name) => byName.get(name) };
}
