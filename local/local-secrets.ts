import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type LocalSecretsFile,
  localSecretsFileSchema,
} from '#layers/secrets/file-secret-provider.ts';
import { webhookSources } from '#layers/webhooks/sources.ts';
import type { SystemSandbox } from './sandboxes/system-sandbox.ts';

/**
 * Demo credentials of each sandboxed system, random per checkout, so a wrong key really fails
 * against the sandboxes, and a signing secret per webhook source.
 */
export function demoSecrets(sandboxes: readonly SystemSandbox[]): LocalSecretsFile {
  return {
    systems: Object.fromEntries(
      sandboxes.map((sandbox) => [sandbox.system, sandbox.demoCredentials()]),
    ),
    webhooks: demoWebhookSecrets(),
    // Local mode points them at its chat sandbox once that has its port (local/chat-webhooks.ts).
    notifications: {},
    identity: { [TOKEN_EXCHANGE_SECRET]: demoExchangeClient() },
  };
}

/** The key under `identity` of the gateway's token exchange client (`identity/token-exchange`). */
export const TOKEN_EXCHANGE_SECRET = 'token-exchange';

/** The gateway's confidential client at local mode's identity provider, for token exchange. */
function demoExchangeClient(): { clientId: string; clientSecret: string } {
  return { clientId: 'toolgate-gateway', clientSecret: randomBytes(24).toString('base64url') };
}

/** One signing secret per webhook source, in the shape each vendor hands out. */
function demoWebhookSecrets(): Record<string, { current: string }> {
  return Object.fromEntries(
    webhookSources.map((source) => {
      const key = randomBytes(24);
      const current =
        source.scheme.type === 'stripe'
          ? `whsec_${key.toString('hex')}`
          : source.scheme.type === 'standard-webhooks'
            ? `whsec_${key.toString('base64')}`
            : key.toString('base64url');
      return [source.id, { current }];
    }),
  );
}

/**
 * Reads the local secrets file, creating it with demo values (mode 600) when absent, and adding
 * them for a sandboxed system or webhook source it lacks.
 */
export async function ensureLocalSecrets(
  path: string,
  sandboxes: readonly SystemSandbox[],
): Promise<LocalSecretsFile> {
  try {
    const existing = localSecretsFileSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    // A file from an older version lacks the systems added since: give them demo values.
    const demo = demoSecrets(sandboxes);
    const missing = Object.keys(demo.systems).filter((id) => !existing.systems[id]);
    const missingHooks = Object.keys(demo.webhooks).filter((id) => !existing.webhooks[id]);
    const missingClient = !existing.identity?.[TOKEN_EXCHANGE_SECRET];
    if (missing.length === 0 && missingHooks.length === 0 && !missingClient) return existing;
    for (const id of missing) existing.systems[id] = demo.systems[id] as Record<string, unknown>;
    for (const id of missingHooks) existing.webhooks[id] = demo.webhooks[id];
    if (missingClient)
      existing.identity = { ...existing.identity, [TOKEN_EXCHANGE_SECRET]: demoExchangeClient() };
    await writeFile(path, `${JSON.stringify(existing, null, 2)}\n`, { mode: 0o600 });
    return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `The local secrets file ${path} is invalid; fix it or delete it to recreate the demo values.`,
      );
    }
  }
  const secrets = demoSecrets(sandboxes);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
