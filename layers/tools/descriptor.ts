import * as z from 'zod';
import type { AnyTool, Risk } from './define.ts';

/** A tool as agents discover it (DESIGN.md descriptor). */
export interface ToolDescriptor {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  risk: Risk;
  systems: string[];
}

/** JSON Schema (draft 2020-12) of a zod schema; `io` picks the input or output view. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
  return rest;
}

const cache = new WeakMap<AnyTool, ToolDescriptor>();

/**
 * The descriptor of a tool, JSON Schemas generated from its zod schemas (computed once).
 *
 * @example
 * describeTool(getCustomer).inputSchema; // { type: 'object', properties: { customerId: … }, additionalProperties: false }
 */
export function describeTool(tool: AnyTool): ToolDescriptor {
  const cached = cache.get(tool);
  if (cached) return cached;
  const descriptor: ToolDescriptor = {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchemaOf(tool.input, 'input'),
    outputSchema: jsonSchemaOf(tool.output, 'output'),
    risk: tool.risk,
    systems: [...tool.systems],
  };
  cache.set(tool, descriptor);
  return descriptor;
}
