import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportedSystem, ImportedTool } from './openapi-import.ts';

/** Fields a person may edit; a re-import leaves an edited one as it is. */
const TRACKED_TOOL_FIELDS = [
  'name',
  'title',
  'description',
  'risk',
  'request',
  'input',
  'output',
  'write',
] as const;
const TRACKED_SYSTEM_FIELDS = ['displayName', 'apiShape', 'baseUrl', 'auth', 'rateLimit'] as const;

/** What a (re-)import changed, for the person who ran it. */
export interface ImportChanges {
  written: string[];
  added: string[];
  changed: { file: string; fields: string[] }[];
  /** Fields the person had edited: kept, though the spec now says something else. */
  kept: { file: string; fields: string[] }[];
  /** Declarations of operations the spec no longer has (left in place). */
  orphaned: string[];
  unchanged: number;
}

/** A short, stable fingerprint of a JSON value. */
export const fingerprint = (value: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('base64url')
    .slice(0, 12);

type Json = Record<string, unknown>;

/**
 * Merges a fresh import into an existing declaration: a field the person edited since the last
 * import (its value no longer matches the fingerprint the import left) stays theirs; the others
 * follow the spec. Fields only the person added (cache, redact, a compensation) are kept.
 */
function merge(
  fresh: Json,
  existing: Json | undefined,
  fields: readonly string[],
): { merged: Json; changed: string[]; kept: string[] } {
  const imported: Record<string, string> = {};
  for (const field of fields) if (field in fresh) imported[field] = fingerprint(fresh[field]);
  const freshSource = fresh.source as Json;
  if (!existing)
    return { merged: { ...fresh, source: { ...freshSource, imported } }, changed: [], kept: [] };
  const before = ((existing.source as Json | undefined)?.imported ?? {}) as Record<string, string>;
  const merged: Json = { ...existing };
  const changed: string[] = [];
  const kept: string[] = [];
  for (const field of fields) {
    const edited = field in existing && before[field] !== fingerprint(existing[field]);
    const specChanged = before[field] !== imported[field];
    if (edited) {
      if (specChanged) kept.push(field);
      continue;
    }
    if (fingerprint(existing[field]) !== fingerprint(fresh[field])) {
      changed.push(field);
      if (field in fresh) merged[field] = fresh[field];
      else delete merged[field];
    }
  }
  merged.source = { ...freshSource, imported };
  return { merged, changed, kept };
}

async function readJson(path: string): Promise<Json | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Json;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(
      `${path} is not valid JSON (${(error as Error).message}); fix it, then import again.`,
    );
  }
}

/**
 * Writes the declarations of an import under `root/<system>/`, merged with what is there, and
 * says what changed. Existing tools are matched by their operationId, so a renamed tool file or
 * tool keeps its name.
 */
export async function writeDeclarations(
  root: string,
  system: ImportedSystem,
  tools: readonly ImportedTool[],
): Promise<ImportChanges> {
  const folder = join(root, system.id);
  const toolsFolder = join(folder, 'tools');
  await mkdir(toolsFolder, { recursive: true });
  const changes: ImportChanges = {
    written: [],
    added: [],
    changed: [],
    kept: [],
    orphaned: [],
    unchanged: 0,
  };
  const note = (file: string, result: { changed: string[]; kept: string[] }, isNew: boolean) => {
    if (isNew) changes.added.push(file);
    else if (result.changed.length > 0) changes.changed.push({ file, fields: result.changed });
    else changes.unchanged++;
    if (result.kept.length > 0) changes.kept.push({ file, fields: result.kept });
  };

  const systemFile = join(folder, 'system.json');
  const existingSystem = await readJson(systemFile);
  const systemMerge = merge(system as unknown as Json, existingSystem, TRACKED_SYSTEM_FIELDS);
  await writeFile(systemFile, `${JSON.stringify(systemMerge.merged, null, 2)}\n`);
  changes.written.push(systemFile);
  note(`${system.id}/system.json`, systemMerge, !existingSystem);

  const existing = new Map<string, { file: string; data: Json }>();
  for (const entry of await readdir(toolsFolder)) {
    if (!entry.endsWith('.json')) continue;
    const data = await readJson(join(toolsFolder, entry));
    const operationId = (data?.source as Json | undefined)?.operationId;
    if (data && typeof operationId === 'string') existing.set(operationId, { file: entry, data });
  }
  for (const tool of tools) {
    const previous = existing.get(tool.source.operationId);
    existing.delete(tool.source.operationId);
    const file = previous?.file ?? `${tool.name}.json`;
    const result = merge(tool as unknown as Json, previous?.data, TRACKED_TOOL_FIELDS);
    const path = join(toolsFolder, file);
    await writeFile(path, `${JSON.stringify(result.merged, null, 2)}\n`);
    changes.written.push(path);
    note(`${system.id}/tools/${file}`, result, !previous);
  }
  changes.orphaned = [...existing.values()].map(({ file }) => `${system.id}/tools/${file}`);
  return changes;
}
