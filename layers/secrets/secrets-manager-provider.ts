import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from '../errors/index.ts';
import type { SecretProvider } from './secret-provider.ts';

export interface SecretsManagerSecretProviderOptions {
  client: SecretsManagerClient;
  /** Seconds a value stays cached. @default 300 */
  maxAgeSeconds?: number;
}

/**
 * Secrets Manager through Powertools parameters (cached per instance for `maxAgeSeconds`).
 *
 * @example
 * const secrets = new SecretsManagerSecretProvider({ client: new SecretsManagerClient({}) });
 * const { token } = await secrets.getJson(process.env.SYSTEM_CRM_SECRET_ID);
 */
export class SecretsManagerSecretProvider implements SecretProvider {
  readonly #provider: SecretsProvider;
  readonly #maxAge: number;

  constructor(options: SecretsManagerSecretProviderOptions) {
    this.#provider = new SecretsProvider({ awsSdkV3Client: options.client });
    this.#maxAge = options.maxAgeSeconds ?? 300;
  }

  async getJson(
    secretId: string,
    options: { forceFetch?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    let value: unknown;
    try {
      value = await this.#provider.get(secretId, {
        maxAge: this.#maxAge,
        forceFetch: options.forceFetch ?? false,
        transform: 'json',
      });
    } catch (cause) {
      throw new ConfigurationError(
        'credentials_unavailable',
        `The gateway cannot read its credentials for this system. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        {
          cause: stripSecret(cause),
          operatorDetail: `secret "${secretId}" cannot be read: create it or grant access (README, deploy)`,
        },
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ConfigurationError(
        'credentials_invalid',
        `The gateway's credentials for this system are malformed. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.`,
        { operatorDetail: `secret "${secretId}" is not a JSON object (README, deploy)` },
      );
    }
    return value as Record<string, unknown>;
  }
}

/** Keeps only name and message of a failure so no secret material travels with the cause. */
function stripSecret(cause: unknown): Error {
  if (cause instanceof Error) return new Error(`${cause.name}: ${cause.message}`);
  return new Error('unknown error');
}
