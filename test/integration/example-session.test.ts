import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

describe('examples/agent-session.ts', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness({}, { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 });
  });
  afterAll(() => local.stop());

  it('plays the scripted agent session to a succeeded write, against the gateway on PORT', async () => {
    // As a user runs it beside `PORT=… npm start`: no URL, no token, the same data directory.
    const { TOOLGATE_URL: _url, TOOLGATE_TOKEN: _token, ...env } = process.env;
    const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('npm', ['run', '--silent', 'example'], {
        env: { ...env, PORT: String(local.port), TOOLGATE_DATA_DIR: dirname(local.secretsFile) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('exit', (code) => resolve({ code, output }));
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('Three reads in parallel');
    expect(run.output).toMatch(/"status": "succeeded"/);
  });
});
