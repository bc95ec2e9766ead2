import type { ToolDescriptor } from '../tools/descriptor.ts';

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1);

function parameterText(schema: Record<string, unknown>): string {
  const properties = (schema.properties ?? {}) as Record<string, { description?: string }>;
  return Object.entries(properties)
    .map(([name, property]) => `${name.replace(/([A-Z])/g, ' $1')} ${property.description ?? ''}`)
    .join(' ');
}

export interface ToolMatch {
  name: string;
  title: string;
  description: string;
  risk: string;
  score: number;
}

/**
 * Ranked keyword search over tool names, titles, descriptions and parameters: a query word in the
 * name counts most, then the title, then description and parameters; prefixes count half.
 *
 * @example
 * searchTools(descriptors, 'open a ticket for a customer', 5)[0].name; // 'create_ticket'
 */
export function searchTools(
  tools: readonly ToolDescriptor[],
  query: string,
  limit: number,
): ToolMatch[] {
  const wanted = words(query);
  if (wanted.length === 0) return [];
  const scored = tools.map((tool) => {
    const fields: [string[], number][] = [
      [words(tool.name.replace(/_/g, ' ')), 5],
      [words(tool.title), 3],
      [words(tool.description), 1],
      [words(parameterText(tool.inputSchema)), 1],
    ];
    let score = 0;
    for (const word of wanted) {
      for (const [tokens, weight] of fields) {
        if (tokens.includes(word)) score += weight;
        else if (
          word.length >= 4 &&
          tokens.some(
            (token) => token.startsWith(word) || (word.startsWith(token) && token.length >= 4),
          )
        ) {
          score += weight / 2;
        }
      }
    }
    return {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      risk: tool.risk,
      score,
    };
  });
  return scored
    .filter((match) => match.score > 0)
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
    .slice(0, limit);
}
