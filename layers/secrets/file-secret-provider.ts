import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { ConfigurationError } from '../errors/index.ts';
import type { SecretProvider } from './secret-provider.ts';

/**
 * Shape of the local secrets file: system credentials, webhook signing secrets, and the chats'
 * incoming webhooks notifications are posted to.
 */
export const localSecretsFileSchema = z.object({
  systems: z.record(z.string(), z.record(z.string(), z.unknown())),
  webhooks: z.record(z.string(), z.unknown()).default({}),
  notifications: z.record(z.string(), z.unknown()).default({}),
  /** The gateway's own clients at the identity provider (`identity/token-exchange`). */
  identity: z.record(z.string(), z.unknown()).optional(),
});
export type LocalSecretsFile = z.output<typeof localSecretsFileSchema>;

/** The sections of the file a secret id can name with a prefix, e.g. `webhooks/<source>`. */
const PREFIXED_SECTIONS = ['webhooks', 'notifications', 'identity'] as const;

/**
 * Local mode's stand-in for Secrets Manager: the git-ignored local secrets file, where the secret
 * id is the key under `systems`, or `webhooks/<source>` for a key under `webhooks` and
 * `notifications/<chat>` for one under `notifications`. Cached like the real provider.
 */
export class FileSecretProvider implements SecretProvider {
  readonly #path: string;
  readonly #maxAgeMs: number;
  #cache: { at: number; file: LocalSecretsFile } | undefined;

  constructor(options: { path: string; maxAgeSeconds?: number }) {
    this.#path = options.path;
    this.#maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
  }

  async getJson(
    secretId: string,
    options: { forceFetch?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const file = await this.#load(options.forceFetch ?? false);
    // `webhooks/<source>` names a webhook signing secret, `notifications/<chat>` a chat's webhook;
    // `identity/<client>` one of the gateway's clients at the identity provider;
    // anything else a system's credentials.
    const prefixed = PREFIXED_SECTIONS.find((name) => secretId.startsWith(`${name}/`));
    const [section, key] = prefixed
      ? ([prefixed, secretId.slice(prefixed.length + 1)] as const)
      : (['systems', secretId] as const);
    const value = file[section]?.[key];
    if (!value || typeof value !== 'object') {
      throw new ConfigurationError(
        'credentials_unavailable',
        `The gateway has no credentials for this system. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        {
          operatorDetail: `the local secrets file ${this.#path} has no entry "${section}.${key}": add it (README, local secrets) or delete the file to recreate the demo values`,
        },
      );
    }
    return value as Record<string, unknown>;
  }

  async #load(forceFetch: boolean): Promise<LocalSecretsFile> {
    if (!forceFetch && this.#cache && Date.now() - this.#cache.at < this.#maxAgeMs) {
      return this.#cache.file;
    }
    let raw: string;
    try {
      raw = await readFile(this.#path, 'utf8');
    } catch {
      throw new ConfigurationError(
        'credentials_unavailable',
        `The gateway cannot read its credentials. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        {
          operatorDetail: `the local secrets file ${this.#path} cannot be read: run npm start once to create it with demo values`,
        },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ConfigurationError(
        'credentials_invalid',
        `The gateway's credentials are malformed. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        { operatorDetail: `the local secrets file ${this.#path} is not valid JSON` },
      );
    }
    const result = localSecretsFileSchema.safeParse(parsed);
    if (!result.success) {
      throw new ConfigurationError(
        'credentials_invalid',
        `The gateway's credentials are malformed. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        {
          operatorDetail: `the local secrets file ${this.#path} must be an object with a "systems" object`,
        },
      );
    }
    this.#cache = { at: Date.now(), file: result.data };
    return result.data;
  }
}
