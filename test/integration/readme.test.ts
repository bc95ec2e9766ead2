import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { scanErrorCodes } from '#test/helpers/error-codes.ts';
import { codeBlocks, commands, paragraphs, readme, section } from '#test/helpers/readme.ts';

const repository = fileURLToPath(new URL('../..', import.meta.url));
const SHELL = ['bash', 'sh', 'shell'];

const CODE = /`([a-z][a-z0-9]*(?:_[a-z0-9]+)*)`/g;

/** `-c key=value` keys of a command, sorted. */
const contextKeys = (command: string) =>
  [...command.matchAll(/-c (\w+)=/g)].map((match) => match[1] ?? '').sort();

/**
 * Sandbox ports a unit of the README (a shell block, or a paragraph's inline commands) leaves with
 * a fault switched on: a PUT to `/_sandbox/faults` not followed by a DELETE (or a PUT of `{}`).
 */
function faultsLeftOn(lines: readonly string[]): string[] {
  const on = new Set<string>();
  for (const line of lines) {
    const [, method, port] =
      /-X (PUT|DELETE) (?:https?:\/\/)?(?:localhost|127\.0\.0\.1):(\d+)\/_sandbox\/faults/.exec(
        line,
      ) ?? [];
    if (!method || !port) continue;
    if (method === 'PUT' && !line.includes("-d '{}'")) on.add(port);
    else on.delete(port);
  }
  return [...on];
}

/** The catalogue's rows: status → the codes named in that row. */
function catalogue(text: string): Map<number, Set<string>> {
  const rows = new Map<number, Set<string>>();
  for (const line of section(text, 'Error codes').split('\n')) {
    const [, status, codes] = /^\| (\d{3}) \|([^|]*)\|/.exec(line) ?? [];
    if (!status || codes === undefined) continue;
    const named = rows.get(Number(status)) ?? new Set<string>();
    for (const [, code] of codes.matchAll(CODE)) named.add(code ?? '');
    rows.set(Number(status), named);
  }
  return rows;
}

describe('README.md', () => {
  const text = readme();

  it('names every role of the policy where it lists the roles of local mode', () => {
    const roles = paragraphs(text).find((paragraph) => paragraph.startsWith('Roles in local mode'));
    expect(roles).toBeDefined();
    for (const role of Object.keys(defaultPolicy.roles)) expect(roles).toContain(`\`${role}\``);
  });

  it('lists under its status every error code the source can answer with, and no other', () => {
    const { codes, computed } = scanErrorCodes();
    // A computed code could be anything: error codes are a contract, so each is written out.
    expect(computed).toEqual([]);
    expect([...codes].filter(([, statuses]) => statuses.size === 0)).toEqual([]);
    expect(codes.get('upstream_error')).toEqual(new Set([502]));
    const rows = catalogue(text);
    const listed = [...rows].flatMap(([status, named]) =>
      [...named].map((code) => `${status} ${code}`),
    );
    const produced = [...codes].flatMap(([code, statuses]) =>
      [...statuses].map((status) => `${status} ${code}`),
    );
    expect(listed.sort()).toEqual(produced.sort());
  });

  it('switches off, in the same block, every sandbox fault a block switches on', () => {
    const units = [text, readme('local/sandboxes/README.md')].flatMap((markdown) => [
      ...codeBlocks(markdown, SHELL).map((block) => ({ lines: commands(block), text: block })),
      ...paragraphs(markdown).map((paragraph) => ({
        lines: [...paragraph.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''),
        text: paragraph,
      })),
    ]);
    const switching = units.filter((unit) => unit.text.includes('/_sandbox/faults'));
    expect(switching.length).toBeGreaterThan(4);
    // The check itself catches a fault left on, and one switched off on another sandbox only.
    expect(
      faultsLeftOn(['curl -X PUT localhost:3002/_sandbox/faults -d \'{"down":true}\'']),
    ).toEqual(['3002']);
    expect(
      faultsLeftOn([
        'curl -X PUT localhost:3002/_sandbox/faults -d \'{"down":true}\'',
        'curl -X DELETE localhost:3001/_sandbox/faults',
      ]),
    ).toEqual(['3002']);
    const leftOn = switching.flatMap((unit) =>
      faultsLeftOn(unit.lines).map((port) => `port ${port} in: ${unit.text.split('\n')[0]}`),
    );
    expect(leftOn).toEqual([]);
  });

  it('says when an edit of the local secrets file takes effect', () => {
    const secrets = section(text, 'Local secrets file');
    expect(secrets).toContain('`SECRETS_MAX_AGE_SECONDS`');
    expect(secrets).toContain('restart');
  });

  it('deploys with the same settings it synthesizes with', () => {
    const deploying = commands(codeBlocks(section(text, 'Deploying to AWS'), SHELL).join('\n'));
    const synth = deploying.find((command) => command.startsWith('npx cdk synth'));
    const deploy = deploying.find((command) => command.startsWith('npx cdk deploy'));
    expect(synth).toBeDefined();
    expect(contextKeys(deploy ?? '')).toEqual(contextKeys(synth ?? ''));
  });

  // One synth, with bundling and cdk-nag: minutes on a busy machine, hence the timeout.
  it('synthesizes the production example offline, exactly as written', async () => {
    // Arrange: the README's command, as a user pastes it, with the output kept out of the tree
    const synth = commands(codeBlocks(section(text, 'Deploying to AWS'), SHELL).join('\n')).find(
      (command) => command.startsWith('npx cdk synth'),
    );
    expect(synth).toBeDefined();
    const outdir = await mkdtemp(join(tmpdir(), 'toolgate-readme-synth-'));
    try {
      // Act
      const run = await promisify(execFile)(
        'bash',
        ['-c', `${synth} --no-notices --output ${outdir}`],
        {
          cwd: repository,
          env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
          maxBuffer: 64 * 1024 * 1024,
        },
      ).catch((error: { code?: number; stderr?: string }) => ({
        stderr: `exit ${error.code}: ${error.stderr}`,
      }));
      // Assert
      const stage = /-c stage=(\S+)/.exec(synth ?? '')?.[1];
      for (const stack of ['Stateful', 'Api'])
        expect(
          existsSync(join(outdir, `Toolgate-${stage}-${stack}.template.json`)),
          run.stderr,
        ).toBe(true);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }, 600_000);
});
