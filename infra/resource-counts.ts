import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** CloudFormation's limit of resources in one stack (a nested stack is a stack of its own). */
export const STACK_RESOURCE_LIMIT = 500;

/**
 * The resources of every template of a cloud assembly, nested stacks' included, by file name.
 *
 * @example
 * resourceCounts('cdk.out'); // { 'Toolgate-dev-Api.template.json': 236, …ToolsErp….nested.template.json': 61, … }
 */
export function resourceCounts(assemblyDir: string): Record<string, number> {
  return Object.fromEntries(
    readdirSync(assemblyDir)
      .filter((file) => file.endsWith('.template.json'))
      .sort()
      .map((file) => {
        const template = JSON.parse(readFileSync(join(assemblyDir, file), 'utf8')) as {
          Resources?: Record<string, unknown>;
        };
        return [file, Object.keys(template.Resources ?? {}).length];
      }),
  );
}

// `npx cdk synth --quiet && npx node --import tsx infra/resource-counts.ts [cdk.out]`
if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = resourceCounts(process.argv[2] ?? 'cdk.out');
  for (const [file, count] of Object.entries(counts))
    console.log(`${String(count).padStart(4)} of ${STACK_RESOURCE_LIMIT}  ${file}`);
}
