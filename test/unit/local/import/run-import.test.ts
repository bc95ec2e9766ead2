import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { declarationFiles } from '#layers/systems/declared/index.ts';
import { declarationPaths, renderIndex } from '#local/import/declared-index.ts';
import { runImport } from '#local/import/run-import.ts';

const SANDBOX_SPEC = 'local/sandboxes/facilities.openapi.yaml';

describe('runImport', () => {
  let dir: string;
  let root: string;
  let spec: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolgate-import-'));
    root = join(dir, 'declared');
    spec = join(dir, 'facilities.yaml');
    await writeFile(spec, await readFile(SANDBOX_SPEC, 'utf8'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const run = (operations?: string[]) =>
    runImport({
      spec,
      systemId: 'facilities',
      root,
      taken: [],
      format: false,
      ...(operations ? { operations } : {}),
    });
  const readTool = async (name: string) =>
    JSON.parse(await readFile(join(root, 'facilities', 'tools', `${name}.json`), 'utf8'));

  it('writes the system, a file per tool and the index', async () => {
    const report = await run();
    expect(report.changes.added).toHaveLength(7);
    expect(await declarationPaths(root)).toEqual([
      'facilities/system.json',
      'facilities/tools/asset_exists.json',
      'facilities/tools/cancel_work_order.json',
      'facilities/tools/create_work_order.json',
      'facilities/tools/get_asset.json',
      'facilities/tools/list_asset_work_orders.json',
      'facilities/tools/list_assets.json',
    ]);
    expect(await readFile(join(root, 'index.ts'), 'utf8')).toContain(
      "import facilitiesToolsGetAsset from './facilities/tools/get_asset.json' with { type: 'json' };",
    );
  });

  it('shows what a changed spec changed, and keeps the edits made to the files', async () => {
    await run();
    const edited = await readTool('get_asset');
    edited.description = `${edited.description} Our own words for the agents.`;
    edited.cache = { ttlSeconds: 60 };
    await writeFile(join(root, 'facilities', 'tools', 'get_asset.json'), JSON.stringify(edited));
    const text = await readFile(spec, 'utf8');
    await writeFile(
      spec,
      text
        .replace('summary: Get one installed asset.', 'summary: Get one installed asset by id.')
        .replace('Gets one asset by its id', 'Gets one asset by its asset id')
        .replace(
          'summary: List the maintenance work orders of an asset.',
          'summary: List every maintenance work order of an asset.',
        )
        .replace(
          'Lists every maintenance work order of one asset',
          'Lists the work orders of one asset',
        ),
    );

    const report = await run();

    expect(report.changes.added).toEqual([]);
    expect(report.changes.changed).toEqual([
      { file: 'facilities/tools/get_asset.json', fields: ['title'] },
      { file: 'facilities/tools/list_asset_work_orders.json', fields: ['title', 'description'] },
    ]);
    expect(report.changes.kept).toEqual([
      { file: 'facilities/tools/get_asset.json', fields: ['description'] },
    ]);
    const kept = await readTool('get_asset');
    expect(kept.description).toBe(edited.description);
    expect(kept.cache).toEqual({ ttlSeconds: 60 });
    // The title was not edited: it follows the spec.
    expect(kept.title).toBe('Get one installed asset by id');
    const workOrders = await readTool('list_asset_work_orders');
    expect(workOrders.title).toBe('List every maintenance work order of an asset');
    // Its description's first sentence says what the summary does: the summary is not repeated.
    expect(workOrders.description).toMatch(/^Lists the work orders of one asset \(open/);
  });

  it('keeps the file of an operation the spec dropped, and says so', async () => {
    await run();
    const text = await readFile(spec, 'utf8');
    await writeFile(spec, text.replace(/ {4}head:\n(?: {6}.*\n| {8}.*\n| {10}.*\n)+/, ''));
    const report = await run();
    expect(report.changes.orphaned).toEqual(['facilities/tools/asset_exists.json']);
    expect(await readdir(join(root, 'facilities', 'tools'))).toContain('asset_exists.json');
  });

  it('writes nothing when the spec does not parse', async () => {
    await writeFile(spec, 'openapi: 3.1.0\ninfo: [\n');
    await expect(run()).rejects.toThrow(/facilities\.yaml:\d+:\d+/);
    await expect(readdir(root)).rejects.toThrow(/ENOENT/);
  });
});

describe('the declarations index', () => {
  it('lists exactly the declaration files of layers/systems/declared (npm run import -- index)', async () => {
    expect(declarationFiles.map((file) => file.file)).toEqual(
      await declarationPaths('layers/systems/declared'),
    );
  });

  it('renders an empty list when there are no declarations', () => {
    expect(renderIndex([])).toContain(
      'export const declarationFiles: readonly DeclarationFile[] = [];',
    );
  });
});
