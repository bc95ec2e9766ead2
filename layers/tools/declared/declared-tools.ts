import type { SystemDefinition } from '../../connectors/system-definition.ts';
import {
  DeclarationError,
  type DeclarationFile,
  parseDeclaration,
} from '../../systems/declaration-files.ts';
import type { AnyTool } from '../define.ts';
import { toolFromDeclaration } from './declared-tool.ts';
import { type ToolDeclaration, toolDeclarationSchema } from './tool-declaration.ts';

/**
 * The tools among the declaration files, validated against their schema and the known systems; a
 * bad file throws a `DeclarationError` naming it, each field and the fix.
 *
 * @example
 * loadDeclaredTools(declarationFiles, systems); // [get_asset, list_assets, …]
 */
export function loadDeclaredTools(
  files: readonly DeclarationFile[],
  systems: readonly Pick<SystemDefinition, 'id'>[],
): AnyTool[] {
  return files
    .filter((file) => file.kind === 'tool')
    .map((file) => toolFromDeclaration(checkedDeclaration(file, systems)));
}

function checkedDeclaration(
  file: DeclarationFile,
  systems: readonly Pick<SystemDefinition, 'id'>[],
): ToolDeclaration {
  const declaration = parseDeclaration(toolDeclarationSchema, file);
  const problems: { field: string; problem: string; fix: string }[] = [];
  if (!systems.some((system) => system.id === declaration.system))
    problems.push({
      field: 'system',
      problem: `no system "${declaration.system}" is declared`,
      fix: `use one of ${systems.map((system) => `"${system.id}"`).join(', ')}, or declare the system`,
    });
  const folder = file.file.split('/')[0];
  if (folder !== declaration.system)
    problems.push({
      field: 'system',
      problem: `the tool is filed under "${folder}" but calls "${declaration.system}"`,
      fix: `move the file to ${declaration.system}/tools/ or correct "system"`,
    });
  if (problems.length > 0) throw new DeclarationError(file.file, problems);
  return declaration;
}
