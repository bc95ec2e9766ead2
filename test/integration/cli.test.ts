import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '#layers/policy/default-policy.ts';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const policyRoles = Object.keys(defaultPolicy.roles);

describe('npm start and npm run token', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'toolgate-cli-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints a bearer token and nothing else', () => {
    const result = spawnSync(
      'npm',
      ['run', '--silent', 'token', '--', '--sub', 'ana', '--roles', 'support,sales'],
      {
        env: { ...process.env, TOOLGATE_DATA_DIR: dataDir },
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(JWT);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const payload = JSON.parse(
      Buffer.from(result.stdout.trim().split('.')[1] ?? '', 'base64url').toString(),
    );
    expect(payload).toMatchObject({
      sub: 'ana',
      roles: ['support', 'sales'],
      aud: 'toolgate-local',
    });
    // Local mode has not started with this data directory: the issuer of a gateway on PORT.
    expect(payload.iss).toBe(`http://127.0.0.1:${process.env.PORT || 3000}/_local/oidc`);
  });

  it('refuses a token request without --sub, saying how to call it', () => {
    const result = spawnSync('npm', ['run', '--silent', 'token', '--', '--roles', 'support'], {
      env: { ...process.env, TOOLGATE_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('--sub');
    expect(result.stdout).toBe('');
  });

  it('issues a token for every role of the policy, approver included', () => {
    const result = spawnSync(
      'npm',
      ['run', '--silent', 'token', '--', '--sub', 'bea', '--roles', policyRoles.join(',')],
      { env: { ...process.env, TOOLGATE_DATA_DIR: dataDir }, encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(policyRoles).toContain('approver');
  });

  it('refuses an unknown role, naming the roles of the policy', () => {
    const result = spawnSync(
      'npm',
      ['run', '--silent', 'token', '--', '--sub', 'bea', '--roles', 'support,approvr'],
      { env: { ...process.env, TOOLGATE_DATA_DIR: dataDir }, encoding: 'utf8' },
    );
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"approvr"');
    expect(result.stderr).not.toContain('"support"');
    expect(result.stderr).toContain(`the roles are ${policyRoles.join(', ')}`);
  });

  it('starts, says where it listens, answers with a token from npm run token, and stops on Ctrl-C', async () => {
    // Arrange
    child = spawn('npm', ['start'], {
      env: {
        ...process.env,
        PORT: '0',
        TOOLGATE_DATA_DIR: dataDir,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let printed = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no startup line in: ${printed}`)), 20_000);
      child?.stdout?.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const match = /Toolgate listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child?.once('exit', (code) => reject(new Error(`exited ${code}: ${printed}`)));
    });
    const token = spawnSync(
      'npm',
      ['run', '--silent', 'token', '--', '--sub', 'ana', '--roles', 'support'],
      {
        env: { ...process.env, TOOLGATE_DATA_DIR: dataDir },
        encoding: 'utf8',
      },
    ).stdout.trim();
    const issuer = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).iss;
    // Act
    const health = await fetch(`${url}/health`);
    const tools = await fetch(`${url}/tools`, { headers: { authorization: `Bearer ${token}` } });
    const exited = new Promise<string>((resolve) =>
      child?.once('exit', (code, signal) => resolve(String(code ?? signal))),
    );
    process.kill(-(child.pid ?? 0), 'SIGINT');
    // Assert
    expect(health.status).toBe(200);
    // The token names the issuer of the gateway just started, whatever port it took.
    expect(issuer).toBe(`${url}/_local/oidc`);
    expect(tools.status).toBe(200);
    // Support's ten: CRM, ticketing and logistics tools, get_order_status, get_customer_context, send_email.
    expect(((await tools.json()) as { tools: unknown[] }).tools.length).toBe(10);
    expect(printed).toMatch(/CRM sandbox.*http:\/\/127\.0\.0\.1:\d+/);
    expect(printed).toMatch(/Logistics DB \(legacy PostgreSQL\):\s+pglite:\/\/\/.*logistics-db/);
    expect(printed).toMatch(/Chat sandbox.*http:\/\/127\.0\.0\.1:\d+.*\/_sandbox\/messages/);
    expect(printed).toContain(`(roles: ${policyRoles.join(', ')})`);
    // Ctrl-C reaches npm and the gateway together: npm ends by the signal, the gateway by exit 0.
    expect(['0', 'SIGINT']).toContain(await exited);
    const crmUrl = /CRM sandbox.*(http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1];
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    await expect(fetch(`${crmUrl}/_sandbox/health`)).rejects.toThrow();
    const chatUrl = /Chat sandbox.*(http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1];
    await expect(fetch(`${chatUrl}/_sandbox/health`)).rejects.toThrow();
  });
});
