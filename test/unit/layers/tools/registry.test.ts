import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getSystem } from '#layers/systems/registry.ts';
import { describeTool } from '#layers/tools/descriptor.ts';
import { tools } from '#layers/tools/registry.ts';

/** Paths of properties in a JSON Schema that carry no description. */
function undescribed(schema: unknown, path = ''): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const node = schema as Record<string, unknown>;
  const missing: string[] = [];
  const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, child] of Object.entries(properties)) {
    const childPath = path ? `${path}.${name}` : name;
    if (typeof child.description !== 'string' || child.description.length < 5)
      missing.push(childPath);
    missing.push(...undescribed(child, childPath));
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf']) {
    const value = node[key];
    const children = Array.isArray(value) ? value : value ? [value] : [];
    for (const child of children) missing.push(...undescribed(child, `${path}[]`));
  }
  return missing;
}

describe('undescribed', () => {
  it('finds fields without a description, nested and in arrays', () => {
    const schema = z.toJSONSchema(
      z.object({
        ok: z.string().describe('Has one.'),
        bare: z.string(),
        list: z.array(z.object({ inner: z.number() })).describe('A list.'),
      }),
    );
    expect(undescribed(schema)).toEqual(['bare', 'list[].inner']);
  });
});

describe('tool registry', () => {
  it('holds at least the six read tools of the read path', () => {
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'search_customers',
        'get_customer',
        'get_customer_orders',
        'get_order_status',
        'check_inventory',
        'get_customer_tickets',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  describe.each(tools.map((tool) => [tool.name, tool] as const))('%s', (_name, tool) => {
    it('has a name agents and policies can rely on', () => {
      expect(tool.name).toMatch(/^[a-z][a-z0-9_]{2,63}$/);
    });

    it('describes when to use it in at least two sentences', () => {
      expect(tool.description.length).toBeGreaterThanOrEqual(100);
      expect(tool.description).toMatch(/\bUse\b/);
      expect(tool.title.length).toBeGreaterThan(3);
    });

    it('declares a risk tier and only known systems', () => {
      expect(['read', 'write']).toContain(tool.risk);
      expect(tool.systems.length).toBeGreaterThan(0);
      for (const id of tool.systems) expect(getSystem(id), id).toBeDefined();
    });

    it('converts to JSON Schema with every field described and unknown input fields refused', () => {
      const descriptor = describeTool(tool);
      expect(descriptor.inputSchema.type).toBe('object');
      expect(descriptor.inputSchema.additionalProperties).toBe(false);
      expect(undescribed(descriptor.inputSchema)).toEqual([]);
      expect(undescribed(descriptor.outputSchema)).toEqual([]);
    });

    it('declares each composite part over a read tool with the same systems, as a nullable output field', () => {
      for (const [field, part] of Object.entries(tool.risk === 'read' ? (tool.parts ?? {}) : {})) {
        const carried = tools.find((candidate) => candidate.name === part.needs);
        expect(carried?.risk, `${field} needs ${part.needs}`).toBe('read');
        expect([...part.systems].sort()).toEqual([...(carried?.systems ?? [])].sort());
        for (const system of part.systems) expect(tool.systems).toContain(system);
        const shape = (tool.output as z.ZodObject).shape[field] as z.ZodType | undefined;
        expect(shape, `${field} is an output field`).toBeDefined();
        expect(shape?.safeParse(null).success, `${field} may be null`).toBe(true);
      }
    });
  });
});
