import {
  AppConfigDataClient,
  BadRequestException,
  GetLatestConfigurationCommand,
  ResourceNotFoundException,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppConfigEmulator, startAppConfigEmulator } from '#local/appconfig-emulator.ts';

const ids = { application: 'toolgate', environment: 'local', profile: 'policy' };
const session = {
  ApplicationIdentifier: ids.application,
  EnvironmentIdentifier: ids.environment,
  ConfigurationProfileIdentifier: ids.profile,
};
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('startAppConfigEmulator', () => {
  let emulator: AppConfigEmulator;
  let client: AppConfigDataClient;
  let clock = 0;
  const start = async (minPollSeconds?: number) => {
    emulator = await startAppConfigEmulator({
      now: () => clock,
      ...(minPollSeconds === undefined ? {} : { minPollSeconds }),
    });
    client = new AppConfigDataClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  };
  afterEach(async () => {
    client.destroy();
    await emulator.close();
  });

  it('answers a deployed configuration once per version, with the next token and poll interval', async () => {
    // Arrange
    await start();
    emulator.deploy(ids, '{"policy":1}');
    const { InitialConfigurationToken } = await client.send(
      new StartConfigurationSessionCommand({
        ...session,
        RequiredMinimumPollIntervalInSeconds: 15,
      }),
    );

    // Act: the first poll, one within the interval, one after it, a deployment, one more.
    const first = await client.send(
      new GetLatestConfigurationCommand({ ConfigurationToken: InitialConfigurationToken }),
    );
    const early = client.send(
      new GetLatestConfigurationCommand({ ConfigurationToken: first.NextPollConfigurationToken }),
    );
    await expect(early).rejects.toBeInstanceOf(BadRequestException);
    clock += 15_000;
    const unchanged = await client.send(
      new GetLatestConfigurationCommand({ ConfigurationToken: first.NextPollConfigurationToken }),
    );
    emulator.deploy(ids, '{"policy":2}');
    clock += 15_000;
    const changed = await client.send(
      new GetLatestConfigurationCommand({
        ConfigurationToken: unchanged.NextPollConfigurationToken,
      }),
    );

    // Assert
    expect(text(first.Configuration)).toBe('{"policy":1}');
    expect(first).toMatchObject({
      ContentType: 'application/json',
      NextPollIntervalInSeconds: 15,
      VersionLabel: '1',
    });
    expect(first.NextPollConfigurationToken).toMatch(/^[0-9a-f]{64}$/);
    expect(unchanged.Configuration?.length ?? 0).toBe(0);
    expect(unchanged.VersionLabel).toBeUndefined();
    expect(text(changed.Configuration)).toBe('{"policy":2}');
    expect(changed.VersionLabel).toBe('2');
  });

  it('refuses a used token, a poll interval under its floor and an unknown configuration as AppConfig does', async () => {
    // Arrange
    await start();
    emulator.deploy(ids, '{}');
    const { InitialConfigurationToken } = await client.send(
      new StartConfigurationSessionCommand(session),
    );
    await client.send(
      new GetLatestConfigurationCommand({ ConfigurationToken: InitialConfigurationToken }),
    );

    // Act
    const reused = client.send(
      new GetLatestConfigurationCommand({ ConfigurationToken: InitialConfigurationToken }),
    );
    const tooShort = client.send(
      new StartConfigurationSessionCommand({ ...session, RequiredMinimumPollIntervalInSeconds: 5 }),
    );
    const unknown = client.send(
      new StartConfigurationSessionCommand({ ...session, ConfigurationProfileIdentifier: 'other' }),
    );

    // Assert
    await expect(reused).rejects.toBeInstanceOf(BadRequestException);
    await expect(tooShort).rejects.toThrow(/RequiredMinimumPollIntervalInSeconds/);
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('accepts a shorter poll interval when started with a lower floor (local mode)', async () => {
    await start(1);
    emulator.deploy(ids, '{}');

    const started = await client.send(
      new StartConfigurationSessionCommand({ ...session, RequiredMinimumPollIntervalInSeconds: 1 }),
    );

    expect(started.InitialConfigurationToken).toBeTruthy();
  });
});
