import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** Every module specifier a file imports, statically or dynamically. */
const specifiers = (source: string): string[] =>
  [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map(
    (match) => match[1] ?? '',
  );

/** Where a specifier points inside the project, if it names a project file. */
function target(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('#')) {
    const [alias = '', ...rest] = specifier.slice(1).split('/');
    return join(alias, ...rest);
  }
  if (specifier.startsWith('.')) return relative(root, resolve(dirname(file), specifier));
  return undefined;
}

describe('the CDK app (infra/)', () => {
  it('imports nothing from local mode, which deploys nowhere', async () => {
    // Arrange
    const files = (await readdir(join(root, 'infra'), { recursive: true }))
      .filter((name) => /\.[cm]?[jt]s$/.test(name))
      .map((name) => join(root, 'infra', name));

    // Act
    const crossings: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(await readFile(file, 'utf8'))) {
        const into = target(file, specifier);
        if (into === 'local' || into?.startsWith('local/'))
          crossings.push(`${relative(root, file)} imports ${specifier}`);
      }
    }

    // Assert
    expect(files.length).toBeGreaterThan(0);
    expect(crossings).toEqual([]);
  });
});
