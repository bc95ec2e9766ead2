import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The floors of the house, lowest first: a room (a folder of `layers/`) may import its own floor
 * and the floors below it, never one above. `functions/` stands on top of them all; `infra/` and
 * local mode stand beside the house and nothing in it imports them. README "Project layout"
 * describes the same floors: change both together.
 */
const FLOORS: readonly (readonly string[])[] = [
  // ground: types and helpers that know nothing of the gateway's other rooms
  ['errors', 'observability', 'config', 'model', 'http-util', 'digest'],
  ['auth', 'secrets', 'aws'],
  ['resilience', 'policy'],
  ['connectors'],
  ['connections', 'sql'],
  ['systems'],
  ['tools'],
  ['writes', 'webhooks', 'audit', 'notifications', 'argument-policy'],
  // the tool-call core and the edges that adapt it to REST, MCP and OpenAPI
  ['core', 'http', 'mcp', 'openapi'],
  // the composition root: builds every dependency from the settings
  ['composition'],
];
const FUNCTIONS_FLOOR = FLOORS.length;

const ROOT = join(import.meta.dirname, '..', '..');
const packageImports = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    imports: Record<string, string>;
  }
).imports;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => join(folder, path));
}

/** The repository path an import names, or undefined for a package. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return normalize(join(dirname(from), specifier));
  if (!specifier.startsWith('#')) return undefined;
  for (const [pattern, target] of Object.entries(packageImports)) {
    const prefix = pattern.replace(/\*$/, '');
    if (specifier.startsWith(prefix)) {
      return normalize(
        relative(ROOT, join(ROOT, target.replace(/\*$/, ''), specifier.slice(prefix.length))),
      );
    }
  }
  throw new Error(`${from} imports ${specifier}, which package.json "imports" does not map`);
}

/** Every import, re-export and dynamic import of a file, with its repository path. */
function importsOf(file: string): { specifier: string; target: string }[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.flatMap(({ fileName }) => {
    const target = resolveImport(file, fileName);
    return target === undefined ? [] : [{ specifier: fileName, target }];
  });
}

type Place =
  | { kind: 'room'; room: string; floor: number }
  | { kind: 'functions' }
  | { kind: 'outside'; name: string };

function placeOf(path: string): Place {
  const [top, room] = path.split('/');
  if (top === 'layers' && room) {
    const floor = FLOORS.findIndex((rooms) => rooms.includes(room));
    if (floor < 0)
      throw new Error(
        `layers/${room} stands on no floor: add it to FLOORS in ${relative(ROOT, import.meta.filename)} and to README "Project layout"`,
      );
    return { kind: 'room', room, floor };
  }
  if (top === 'functions') return { kind: 'functions' };
  return { kind: 'outside', name: top ?? path };
}

const floorOf = (place: Place): number => (place.kind === 'room' ? place.floor : FUNCTIONS_FLOOR);
const edges = [...sourceFiles('layers'), ...sourceFiles('functions')].flatMap((file) =>
  importsOf(file).map((entry) => ({
    file,
    ...entry,
    from: placeOf(file),
    to: placeOf(entry.target),
  })),
);

describe('the import floors', () => {
  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((edge) => edge.specifier.startsWith('#layers/'))).toBe(true);
  });

  it('has no import from a lower floor to a higher one', () => {
    const upward = edges
      .filter((edge) => edge.to.kind !== 'outside' && floorOf(edge.to) > floorOf(edge.from))
      .map((edge) => `${edge.file} imports ${edge.specifier}`);
    expect(upward).toEqual([]);
  });

  it('keeps functions/, infra/, local mode and the tests out of layers/ and functions/', () => {
    const outward = edges
      .filter(
        (edge) =>
          edge.to.kind === 'outside' || (edge.from.kind === 'room' && edge.to.kind === 'functions'),
      )
      .map((edge) => `${edge.file} imports ${edge.specifier}`);
    expect(outward).toEqual([]);
  });

  it('keeps the tool-call core apart from the edges that adapt it, on its own floor', () => {
    const edgeRooms = new Set(['http', 'mcp', 'openapi']);
    const intoEdges = edges
      .filter(
        (edge) =>
          edge.from.kind === 'room' &&
          edge.from.room === 'core' &&
          edge.to.kind === 'room' &&
          edgeRooms.has(edge.to.room),
      )
      .map((edge) => `${edge.file} imports ${edge.specifier}`);
    expect(intoEdges).toEqual([]);
  });

  it('has no cycle between the rooms of one floor', () => {
    const uses = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      if (from.kind !== 'room' || to.kind !== 'room' || from.room === to.room) continue;
      uses.set(from.room, (uses.get(from.room) ?? new Set()).add(to.room));
    }
    const cycles: string[] = [];
    const reaches = (start: string, goal: string, seen = new Set<string>()): boolean => {
      for (const next of uses.get(start) ?? []) {
        if (next === goal) return true;
        if (seen.has(next)) continue;
        seen.add(next);
        if (reaches(next, goal, seen)) return true;
      }
      return false;
    };
    for (const [room, targets] of uses) {
      for (const target of targets) if (reaches(target, room)) cycles.push(`${room} -> ${target}`);
    }
    expect(cycles).toEqual([]);
  });
});
