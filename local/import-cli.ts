import { parseArgs } from 'node:util';
import { writeIndex } from './import/declared-index.ts';
import { SpecError } from './import/parse-spec.ts';
import { formatFiles, type ImportReport, runImport } from './import/run-import.ts';

const USAGE = `Usage:
  npm run import -- openapi <spec file> --system <id> [--operations a,b]
  npm run import -- index      rewrites layers/systems/declared/index.ts from the files there`;

const ROOT = 'layers/systems/declared';

function print(report: ImportReport): void {
  const { warnings, changes } = report;
  for (const warning of warnings)
    console.log(`warning: ${warning.where}: ${warning.message}. Fix: ${warning.fix}.`);
  for (const file of changes.added) console.log(`added    ${ROOT}/${file}`);
  for (const { file, fields } of changes.changed)
    console.log(`changed  ${ROOT}/${file}: ${fields.join(', ')}`);
  for (const { file, fields } of changes.kept)
    console.log(
      `kept     ${ROOT}/${file}: your edits of ${fields.join(', ')} (the spec changed them too; compare by hand)`,
    );
  for (const file of changes.orphaned)
    console.log(
      `orphaned ${ROOT}/${file}: the spec no longer has its operation; delete the file if the tool should go`,
    );
  console.log(
    `${report.tools.length} tool${report.tools.length === 1 ? '' : 's'} (${report.tools.join(', ')}), ${changes.unchanged} file${changes.unchanged === 1 ? '' : 's'} unchanged, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}.`,
  );
  console.log(
    'Next: review the files, grant the tools in the policy (by name, system:<id> or risk), run npm test, then npm start.',
  );
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { system: { type: 'string' }, operations: { type: 'string' } },
  });
  const [command, spec] = positionals;
  if (command === 'index') {
    const index = await writeIndex(ROOT);
    await formatFiles([index]);
    console.log(`wrote ${index}`);
    return 0;
  }
  if (command !== 'openapi' || !spec || !values.system) {
    console.error(USAGE);
    return 2;
  }
  // The registered tools, read only now: a broken declaration must not stop its own repair.
  const taken = await import('#layers/tools/registry.ts')
    .then(({ tools }) => tools.filter((tool) => !tool.systems.includes(values.system as string)))
    .then((tools) => tools.map((tool) => tool.name))
    .catch(() => []);
  const report = await runImport({
    spec,
    systemId: values.system,
    root: ROOT,
    taken,
    ...(values.operations
      ? {
          operations: values.operations
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean),
        }
      : {}),
  });
  print(report);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      error instanceof SpecError ? error.message : `import failed: ${(error as Error).message}`,
    );
    process.exitCode = 1;
  },
);
