import * as z from 'zod';
import { type SystemDefinition, systemDefinitionSchema } from '../connectors/system-definition.ts';
import { DeclarationError, type DeclarationFile, parseDeclaration } from './declaration-files.ts';

/**
 * Where an imported declaration came from, and a fingerprint of each field as imported: a re-import
 * keeps a field whose value no longer matches its fingerprint (the user edited it).
 */
export const importSourceSchema = z.strictObject({
  /** The spec file, relative to the repository root. */
  spec: z.string().min(1),
  /** The operation a tool was imported from. */
  operationId: z.string().min(1).optional(),
  /** Field name → short hash of the value the import wrote. */
  imported: z.record(z.string(), z.string()).default({}),
});

/** What a declared system adds to a hand-written one. */
const declaredExtras = {
  /**
   * Where the system answers (the spec's first `servers` URL, without its path: the tools' paths
   * carry it). Each stage may override it with `-c <id>BaseUrl=…`; local mode points it at the
   * system's sandbox.
   */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  source: importSourceSchema.optional(),
};

/** A system declared as data (`layers/systems/declared/<id>/system.json`). */
export const declaredSystemSchema = z.strictObject({
  ...systemDefinitionSchema.shape,
  ...declaredExtras,
});
export type DeclaredSystem = z.output<typeof declaredSystemSchema>;

const extrasSchema = z.object(declaredExtras);
const knownFields = new Set(Object.keys(declaredSystemSchema.shape));

/**
 * One system declaration, checked with the schema the hand-written systems are (already compiled
 * at every cold start) plus a check of the extra fields, rather than a schema of its own.
 */
function parseSystem(file: DeclarationFile): DeclaredSystem {
  const data = (file.data ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(data).filter((key) => !knownFields.has(key));
  if (unknown.length > 0) return parseDeclaration(declaredSystemSchema, file);
  const { baseUrl, source, ...system } = data;
  const extras = parseDeclaration(extrasSchema, { file: file.file, data: { baseUrl, source } });
  return {
    ...parseDeclaration(systemDefinitionSchema, { file: file.file, data: system }),
    ...extras,
  };
}

/**
 * The systems among the declaration files, validated; a bad file throws a `DeclarationError`
 * naming it, each field and the fix.
 *
 * @example
 * loadDeclaredSystems(declarationFiles); // [{ id: 'facilities', auth: { type: 'api_key', … }, … }]
 */
export function loadDeclaredSystems(files: readonly DeclarationFile[]): DeclaredSystem[] {
  return files
    .filter((file) => file.kind === 'system')
    .map((file) => {
      const system = parseSystem(file);
      const folder = file.file.split('/')[0];
      if (folder !== system.id)
        throw new DeclarationError(file.file, [
          {
            field: 'id',
            problem: `the system "${system.id}" is declared in the folder "${folder}"`,
            fix: `rename the folder to "${system.id}" or set "id" to "${folder}"`,
          },
        ]);
      return system;
    });
}

/** The runtime form of a declared system: what the hand-written ones are. */
export const asSystemDefinition = ({
  baseUrl: _baseUrl,
  source: _source,
  ...system
}: DeclaredSystem): SystemDefinition => system;
