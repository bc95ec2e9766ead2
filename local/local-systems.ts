import { systemSettingNames } from '#layers/config/system-settings.ts';
import { type SystemDefinition, secretShapes } from '#layers/connectors/system-definition.ts';
import type { LocalSecretsFile } from '#layers/secrets/file-secret-provider.ts';
import { webhookSources } from '#layers/webhooks/sources.ts';
import { startEach } from './sandboxes/index.ts';
import type { RunningSandbox, TrustedIssuer } from './sandboxes/server.ts';
import type { SystemSandbox } from './sandboxes/system-sandbox.ts';

/** A system of the registry and the sandbox that plays it in local mode, if one does. */
export interface LocalSystem {
  system: SystemDefinition;
  sandbox?: SystemSandbox;
}

/**
 * Pairs each system of the registry, in its order, with the sandbox that plays it. A system with
 * none is kept without one (local mode reports it); a sandbox that cannot play is a mistake in
 * the code, so every one is listed at once and local mode does not start.
 *
 * @example
 * castSandboxes(systems, systemSandboxes); // [{ system: crm, sandbox: crmSandbox }, …]
 */
export function castSandboxes(
  systems: readonly SystemDefinition[],
  sandboxes: readonly SystemSandbox[],
): LocalSystem[] {
  const problems: string[] = [];
  for (const sandbox of sandboxes) {
    const system = systems.find(({ id }) => id === sandbox.system);
    if (!system)
      problems.push(
        `the sandbox "${sandbox.label}" plays the system "${sandbox.system}", which layers/systems/registry.ts does not declare`,
      );
    else if (system.auth.type !== sandbox.auth)
      problems.push(
        `the sandbox "${sandbox.label}" checks ${sandbox.auth} credentials, but the system "${system.id}" is declared with ${system.auth.type}`,
      );
    if (sandboxes.filter((other) => other.system === sandbox.system).length > 1)
      problems.push(`more than one sandbox plays the system "${sandbox.system}"`);
    const source = sandbox.webhookSource;
    if (source !== undefined && !webhookSources.some(({ id }) => id === source))
      problems.push(
        `the sandbox "${sandbox.label}" signs its webhooks as "${source}", which layers/webhooks/sources.ts does not declare`,
      );
  }
  if (problems.length > 0)
    throw new Error(
      `Local mode cannot start its sandboxes:\n${[...new Set(problems)].map((problem) => `- ${problem}`).join('\n')}`,
    );
  return systems.map((system) => {
    const sandbox = sandboxes.find((candidate) => candidate.system === system.id);
    return sandbox ? { system, sandbox } : { system };
  });
}

export interface LocalSystems {
  /** Each system of the registry, in its order, with the label and URL of its sandbox if it has one. */
  systems: { system: SystemDefinition; sandbox?: { label: string; url: string } }[];
  /** Each sandbox's URL, by the system it plays. */
  urls: Record<string, string>;
  /**
   * The functions' settings of every system: its secret id (the key under `systems` in the local
   * secrets file) and, for a sandboxed one, its base URL. A system without a sandbox keeps the base
   * URL the environment gives it, if any.
   */
  env: Record<string, string>;
  /** Points each sandbox that sends webhooks at the gateway, signed with its source's secret. */
  announceTo(gatewayUrl: string, webhooks: LocalSecretsFile['webhooks']): void;
  /**
   * Makes each sandbox that can trust an identity provider's tokens (the CRM) trust local mode's;
   * answers their systems' ids, the audiences token exchange may ask for.
   */
  trust(issuer: TrustedIssuer): string[];
  close(): Promise<void>;
}

/**
 * Starts the sandbox of each system that has one, on `portOf(i)` for the i-th that listens, accepting
 * the credentials under `systems.<id>` of the local secrets file.
 */
export async function startLocalSystems(options: {
  cast: readonly LocalSystem[];
  secrets: LocalSecretsFile;
  secretsFile: string;
  portOf(index: number): number;
  /** Where a sandbox that keeps files (the logistics database) keeps them. */
  dataDir?: string;
}): Promise<LocalSystems> {
  const sandboxed = options.cast.flatMap(({ sandbox }) => (sandbox ? [sandbox] : []));
  const listening = sandboxed.filter((sandbox) => !sandbox.embedded);
  const { running, close } = await startEach(
    sandboxed.map((sandbox) => ({
      sandbox,
      port: sandbox.embedded ? 0 : options.portOf(listening.indexOf(sandbox)),
      credentials: credentialsOf(sandbox, options.secrets, options.secretsFile),
      dataDir: options.dataDir,
    })),
  );
  const started = (id: string) => running.get(id) as RunningSandbox;
  return {
    systems: options.cast.map(({ system, sandbox }) =>
      sandbox
        ? { system, sandbox: { label: sandbox.label, url: started(system.id).url } }
        : { system },
    ),
    urls: Object.fromEntries([...running].map(([id, sandbox]) => [id, sandbox.url])),
    env: Object.fromEntries(
      options.cast.flatMap(({ system, sandbox }) => [
        ...(sandbox ? [[systemSettingNames.baseUrl(system.id), started(system.id).url]] : []),
        // Users connect to it as this client, when SYSTEM_<ID>_CREDENTIAL=user.
        ...(sandbox?.oauthClientId
          ? [[systemSettingNames.oauthClientId(system.id), sandbox.oauthClientId]]
          : []),
        [systemSettingNames.secretId(system.id), system.id],
      ]),
    ),
    trust(issuer) {
      return [...running].flatMap(([id, sandbox]) => {
        if (!sandbox.trust) return [];
        sandbox.trust(issuer);
        return [id];
      });
    },
    announceTo(gatewayUrl, webhooks) {
      for (const sandbox of sandboxed) {
        const source = sandbox.webhookSource;
        const secret = source && (webhooks[source] as { current?: string } | undefined)?.current;
        if (source && secret)
          started(sandbox.system).setWebhooks({ url: `${gatewayUrl}/webhooks/${source}`, secret });
      }
    },
    close,
  };
}

/** A sandbox's credentials from the secrets file, checked against the shape of its auth mode. */
function credentialsOf(sandbox: SystemSandbox, secrets: LocalSecretsFile, secretsFile: string) {
  const parsed = secretShapes[sandbox.auth].safeParse(secrets.systems[sandbox.system]);
  if (parsed.success) return parsed.data;
  // Only the fields' names: the values are secrets.
  const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(entry)').join(', ');
  throw new Error(
    `The local secrets file ${secretsFile} has unusable ${sandbox.auth} credentials under systems.${sandbox.system} (${fields}); fix them, or delete the entry to get new demo values.`,
  );
}
