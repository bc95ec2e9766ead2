import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxedSystemId } from '#local/sandboxes/registry.ts';
import { type LocalMode, type LocalModeOptions, startLocalMode } from '#local/start-local.ts';

export interface LocalHarness extends LocalMode {
  token(sub: string, roles: string[]): Promise<string>;
  /** Calls the gateway over HTTP with a bearer token for `as` (sub and roles). */
  call(
    method: string,
    path: string,
    options?: {
      as?: { sub: string; roles: string[] };
      /** `as` in their own session (a token of the console's client), not through an agent. */
      person?: boolean;
      token?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; headers: Headers; body: any }>;
  /** Sets a sandbox's fault switches over HTTP, as the README documents. */
  faults(system: SandboxedSystemId, switches: Record<string, unknown> | null): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts local mode on free ports with its own data directory, for integration tests over HTTP.
 *
 * @example
 * const local = await startLocalHarness();
 * const res = await local.call('GET', '/tools', { as: { sub: 'ana', roles: ['support'] } });
 */
export async function startLocalHarness(
  env: Record<string, string> = {},
  options: Pick<
    LocalModeOptions,
    | 'sagaRetryIntervalMs'
    | 'writeQueueVisibilitySeconds'
    | 'writeWait'
    | 'policyFile'
    | 'policySource'
  > = {},
): Promise<LocalHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'toolgate-local-'));
  // A short breaker cool-down keeps one test's injected outage from leaking into the next.
  const local = await startLocalMode({
    port: 0,
    dataDir,
    env: { BREAKER_COOLDOWN_MS: '300', ...env },
    ...options,
  });
  const token = (sub: string, roles: string[]) => local.issuer.issue({ sub, roles });
  return {
    ...local,
    token,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const bearer =
        options.token ??
        (options.as
          ? options.person
            ? await local.issuer.issue({
                sub: options.as.sub,
                roles: options.as.roles,
                clientId: local.functionEnv.CONSOLE_CLIENT_ID ?? 'toolgate-console',
              })
            : await token(options.as.sub, options.as.roles)
          : undefined);
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${local.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON; keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async faults(system, switches) {
      const url = `${local.sandboxes[system]}/_sandbox/faults`;
      const response = switches
        ? await fetch(url, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(switches),
          })
        : await fetch(url, { method: 'DELETE' });
      if (!response.ok)
        throw new Error(`setting faults failed: ${response.status} ${await response.text()}`);
    },
    async stop() {
      await local.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
