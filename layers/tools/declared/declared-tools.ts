import type { SystemDefinition } from '../../connectors/system-definition.ts';
import {
  DeclarationError,
  type DeclarationFile,
  parseDeclaration,
} from '../../systems/declaration-files.ts';
import type { AnyTool } from '../define.ts';
import { toolFromDeclaration } from './declared-tool.ts';
import { type ToolDeclaration, toolDeclarationSchema } from './tool-declaration.ts';

/** Every field a tool of either risk may have (layers/tools/define.ts). */
const TOOL_FIELDS = [
  'title',
  'description',
  'input',
  'output',
  'systems',
  'redact',
  'timeoutMs',
  'risk',
  'cache',
  'parts',
  'run',
  'confirmBy',
  'confirmAt',
  'preview',
  'steps',
  'result',
  'readiness',
] as const;

/**
 * The tools among the declaration files. Each is validated against its schema and the known
 * systems when more than its name is first read, so a function serving one tool (one per tool on
 * AWS) checks and builds only that one; a bad file throws a `DeclarationError` naming it, each
 * field and the fix. `checkDeclaredTools` validates them all at once (synth, local mode, tests).
 *
 * @example
 * loadDeclaredTools(declarationFiles, systems); // [get_asset, list_assets, …]
 */
export function loadDeclaredTools(
  files: readonly DeclarationFile[],
  systems: readonly Pick<SystemDefinition, 'id'>[],
): AnyTool[] {
  return files.filter((file) => file.kind === 'tool').map((file) => lazyTool(file, systems));
}

/** Reads every field of each tool, so each declaration is validated now. */
export function checkDeclaredTools(tools: readonly AnyTool[]): void {
  for (const tool of tools) void tool.risk;
}

function lazyTool(
  file: DeclarationFile,
  systems: readonly Pick<SystemDefinition, 'id'>[],
): AnyTool {
  let built: AnyTool | undefined;
  const tool = (): AnyTool => {
    built ??= toolFromDeclaration(checkedDeclaration(file, systems));
    return built;
  };
  const rawName = (file.data as { name?: unknown } | null)?.name;
  const lazy = {} as AnyTool;
  // The registry keys tools by name: a string name is taken as written, anything else validates.
  Object.defineProperty(lazy, 'name', {
    enumerable: true,
    get: () => (typeof rawName === 'string' ? rawName : tool().name),
  });
  for (const field of TOOL_FIELDS)
    Object.defineProperty(lazy, field, {
      enumerable: true,
      get: () => (tool() as unknown as Record<string, unknown>)[field],
    });
  return lazy;
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
