import { type SandboxedSystemId, systemSandboxes } from './registry.ts';
import type { RunningSandbox } from './server.ts';
import type { CredentialsOf, SandboxAuth, SystemSandbox } from './system-sandbox.ts';

type Bundled = (typeof systemSandboxes)[number];

/** The credentials each bundled sandbox accepts, by the system it plays. */
export type SandboxCredentials = { [S in Bundled as S['system']]: CredentialsOf<S['auth']> };

export type Sandboxes = Record<SandboxedSystemId, RunningSandbox> & { close(): Promise<void> };

/** One sandbox to start: on which port, accepting which credentials. */
export interface SandboxStart {
  sandbox: SystemSandbox;
  port: number;
  credentials: CredentialsOf<SandboxAuth>;
  /** Local mode's data directory, for a sandbox that keeps files. */
  dataDir?: string | undefined;
}

/**
 * Starts each sandbox in order, by the system it plays; when one fails to start, closes those
 * already running before rethrowing, so no port stays taken.
 */
export async function startEach(
  starts: readonly SandboxStart[],
): Promise<{ running: Map<string, RunningSandbox>; close(): Promise<void> }> {
  const running = new Map<string, RunningSandbox>();
  const close = async () => {
    await Promise.all([...running.values()].map((sandbox) => sandbox.close()));
  };
  try {
    for (const { sandbox, port, credentials, dataDir } of starts)
      running.set(sandbox.system, await sandbox.start({ port, credentials, dataDir }));
  } catch (error) {
    await close();
    throw error;
  }
  return { running, close };
}

/**
 * Starts every bundled sandbox (local/sandboxes/registry.ts), each accepting exactly the given
 * credentials. CRM and ticketing announce their data changes by signed webhook once a target is
 * set with their `setWebhooks`.
 *
 * @example
 * const sandboxes = await startSandboxes(secrets.systems, { crm: 3001, erp: 3002, ticketing: 3003 });
 * sandboxes.crm.setWebhooks({ url: 'http://127.0.0.1:3000/webhooks/hubspot', secret: hubspotSecret });
 * sandboxes.ticketing.setWebhooks({ url: 'http://127.0.0.1:3000/webhooks/zendesk', secret: zendeskSecret });
 */
export async function startSandboxes(
  credentials: SandboxCredentials,
  ports: Partial<Record<SandboxedSystemId, number>> = {},
): Promise<Sandboxes> {
  const bundled: readonly SystemSandbox[] = systemSandboxes;
  const { running, close } = await startEach(
    bundled.map((sandbox) => {
      const system = sandbox.system as SandboxedSystemId;
      return { sandbox, port: ports[system] ?? 0, credentials: credentials[system] };
    }),
  );
  return {
    ...(Object.fromEntries(running) as Record<SandboxedSystemId, RunningSandbox>),
    close,
  };
}
