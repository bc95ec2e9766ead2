import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '#layers/errors/index.ts';
import { SecretsManagerSecretProvider } from '#layers/secrets/secrets-manager-provider.ts';

const secretsManager = mockClient(SecretsManagerClient);

describe('SecretsManagerSecretProvider', () => {
  beforeEach(() => secretsManager.reset());

  it('returns the secret JSON and serves repeats from its cache', async () => {
    // Arrange
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'crm-secret' })
      .resolves({ SecretString: '{"token":"t-1"}' });
    const provider = new SecretsManagerSecretProvider({
      client: new SecretsManagerClient({}),
      maxAgeSeconds: 60,
    });
    // Act
    const first = await provider.getJson('crm-secret');
    const second = await provider.getJson('crm-secret');
    // Assert
    expect(first).toEqual({ token: 't-1' });
    expect(second).toEqual({ token: 't-1' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('fetches again when forced, as after a 401 from the system', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"token":"old"}' })
      .resolves({ SecretString: '{"token":"new"}' });
    const provider = new SecretsManagerSecretProvider({ client: new SecretsManagerClient({}) });
    await provider.getJson('crm-secret');
    const refreshed = await provider.getJson('crm-secret', { forceFetch: true });
    expect(refreshed).toEqual({ token: 'new' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('throws a configuration error naming the secret to operators only when it is missing', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    const provider = new SecretsManagerSecretProvider({ client: new SecretsManagerClient({}) });
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:erp-secret-AbCdEf';
    const error = await provider.getJson(arn).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe('credentials_unavailable');
    expect((error as ConfigurationError).operatorDetail).toContain(arn);
    expect((error as Error).message).not.toContain('erp-secret');
    expect((error as Error).message).not.toContain('arn:');
  });

  it('refuses a secret that is not a JSON object', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '"just-a-string"' });
    const provider = new SecretsManagerSecretProvider({ client: new SecretsManagerClient({}) });
    const error = await provider.getJson('crm-secret').catch((caught: unknown) => caught);
    expect((error as ConfigurationError).code).toBe('credentials_invalid');
    expect((error as Error).message).not.toContain('just-a-string');
  });
});
