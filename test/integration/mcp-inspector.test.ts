import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

/** Runs the MCP Inspector's CLI (the npm devDependency) and returns what it printed. */
function inspector(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['mcp-inspector', '--cli', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('MCP Inspector CLI against local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  // The README quickstart's plain call speaks 2025-11-25; `modern` pins 2026-07-28 (stateless,
  // server/discover), `auto` probes with server/discover and would fall back to initialize.
  it.each([[[]], [['--protocol-era', 'modern']], [['--protocol-era', 'auto']]])(
    'lists the tools of a support user and calls one, as the README quickstart does (%j)',
    async (era: string[]) => {
      const token = await local.token('ana', ['support']);
      const common = [
        `${local.url}/mcp`,
        '--transport',
        'http',
        '--header',
        `Authorization: Bearer ${token}`,
        ...era,
      ];
      const listed = await inspector([...common, '--method', 'tools/list']);
      expect(listed.code, listed.stderr).toBe(0);
      const names = (JSON.parse(listed.stdout) as { tools: { name: string }[] }).tools.map(
        (tool) => tool.name,
      );
      expect(names).toEqual(
        expect.arrayContaining(['search_customers', 'create_ticket', 'confirm_operation']),
      );
      expect(names).not.toContain('create_order');
      const called = await inspector([
        ...common,
        '--method',
        'tools/call',
        '--tool-name',
        'search_customers',
        '--tool-arg',
        'query=northwind',
      ]);
      expect(called.code, called.stderr).toBe(0);
      expect(called.stdout).toContain('Northwind Traders');
    },
  );
});
