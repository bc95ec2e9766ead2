import type { DeclarationFile } from '#layers/systems/declaration-files.ts';

/**
 * The declaration files of `count` more systems, each a copy of the declared facilities system
 * with five of its tools (three reads, two writes, as an imported spec has them), renamed
 * `facilities01`, `get_asset_01` and so on: what a company importing many OpenAPI specs adds.
 *
 * @example
 * vi.mock('#layers/systems/declared/index.ts', async (original) => {
 *   const { declarationFiles } = await original<typeof import('#layers/systems/declared/index.ts')>();
 *   return { declarationFiles: [...declarationFiles, ...moreSystems(declarationFiles, 20)] };
 * });
 */
export function moreSystems(files: readonly DeclarationFile[], count: number): DeclarationFile[] {
  const template = 'facilities';
  const system = files.find((file) => file.file === `${template}/system.json`);
  const tools = [
    'get_asset',
    'list_assets',
    'asset_exists',
    'create_work_order',
    'cancel_work_order',
  ].map((name) => files.find((file) => file.file === `${template}/tools/${name}.json`));
  if (!system || tools.some((tool) => !tool))
    throw new Error(`layers/systems/declared/${template} no longer has the files this copies`);
  return Array.from({ length: count }, (_, index) => {
    const number = String(index + 1).padStart(2, '0');
    const id = `${template}${number}`;
    return [
      {
        file: `${id}/system.json`,
        kind: 'system' as const,
        data: { ...(system.data as object), id, displayName: `Facilities ${number}` },
      },
      ...tools.map((tool) => {
        const data = tool?.data as { name: string };
        const name = `${data.name}_${number}`;
        return {
          file: `${id}/tools/${name}.json`,
          kind: 'tool' as const,
          data: { ...data, name, system: id },
        };
      }),
    ];
  }).flat();
}
