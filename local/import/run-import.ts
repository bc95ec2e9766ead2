import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { writeIndex } from './declared-index.ts';
import { type ImportWarning, importOpenApi } from './openapi-import.ts';
import { parseSpec } from './parse-spec.ts';
import { type ImportChanges, writeDeclarations } from './write-declarations.ts';

export interface ImportOptions {
  spec: string;
  systemId: string;
  operations?: readonly string[];
  /** Where declarations live. @default layers/systems/declared */
  root: string;
  /** Names of the tools already registered (a clash gets another name). */
  taken: readonly string[];
  /** Formats the written files with the project's formatter. @default true */
  format?: boolean;
}

export interface ImportReport {
  warnings: ImportWarning[];
  changes: ImportChanges;
  tools: string[];
}

/**
 * Imports an OpenAPI file into declarations: parses and converts everything first (a spec that
 * does not parse writes nothing), then writes the files, merged with earlier imports, and the
 * index.
 *
 * @example
 * await runImport({ spec: 'specs/facilities.yaml', systemId: 'facilities', root: 'layers/systems/declared', taken: [] });
 */
export async function runImport(options: ImportOptions): Promise<ImportReport> {
  if (!/^[a-z][a-z0-9]{1,30}$/.test(options.systemId))
    throw new Error(
      `--system ${options.systemId}: a system id is 2 to 31 lower-case letters and digits, starting with a letter (e.g. facilities).`,
    );
  const text = await readFile(options.spec, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${options.spec}: cannot read the spec (${error.code ?? error.message}).`);
  });
  const spec = relative(process.cwd(), options.spec);
  const parsed = await parseSpec(text, spec);
  const { system, tools, warnings } = importOpenApi(parsed, {
    systemId: options.systemId,
    spec,
    taken: options.taken,
    ...(options.operations ? { operations: options.operations } : {}),
  });
  const changes = await writeDeclarations(options.root, system, tools);
  if (options.operations) changes.orphaned = [];
  const index = await writeIndex(options.root);
  if (options.format !== false) await formatFiles([...changes.written, index]);
  return { warnings, changes, tools: tools.map((tool) => tool.name) };
}

/** The project's own Biome (a native binary), whatever the working directory. */
const BIOME = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'biome');

/** Biome's formatting and import order, so the written files pass `npm run lint` as they are. */
export async function formatFiles(files: readonly string[]): Promise<void> {
  await promisify(execFile)(BIOME, ['check', '--write', ...files]).catch(() => undefined);
}
