import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const gitStatus = () =>
  spawnSync('git', ['status', '--porcelain', '--', 'layers/systems/declared'], {
    encoding: 'utf8',
  }).stdout;

const runImport = (...args: string[]) =>
  spawnSync('npm', ['run', '--silent', 'import', '--', ...args], { encoding: 'utf8' });

describe('npm run import', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolgate-import-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names the line of a spec that does not parse, exits 1 and writes nothing', async () => {
    // Arrange
    const spec = join(dir, 'broken.yaml');
    await writeFile(
      spec,
      'openapi: 3.1.0\ninfo:\n  title: Broken\n  version: "1"\npaths:\n  /a: [\n',
    );
    const before = gitStatus();

    // Act
    const result = runImport('openapi', spec, '--system', 'broken');

    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+: .*nothing was written/);
    expect(gitStatus()).toBe(before);
  });

  it('prints the usage and exits 2 without a spec or a system', () => {
    const result = runImport('openapi');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('npm run import -- openapi <spec file> --system <id>');
  });

  it('refuses a system id that breaks the id rule', () => {
    const result = runImport(
      'openapi',
      'local/sandboxes/facilities.openapi.yaml',
      '--system',
      'Fac-1',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--system Fac-1: a system id is 2 to 31 lower-case letters');
  });
});
