import { describe, expect, it } from 'vitest';
import { exchangedCredentials } from '#layers/composition/exchanged-credentials.ts';
import { parseEnv } from '#layers/config/env.ts';
import { parseSystemSettings } from '#layers/config/system-settings.ts';
import { crm, erp } from '#layers/systems/registry.ts';

const secrets = { getJson: async () => ({}) };
const build = (source: Record<string, string>) =>
  exchangedCredentials({
    env: parseEnv(source),
    systemSettings: parseSystemSettings(source, ['crm', 'erp']),
    systems: [crm, erp],
    secrets,
  });

describe('exchangedCredentials', () => {
  it('covers only the systems set to exchange', () => {
    // Act
    const exchanged = build({
      SYSTEM_CRM_CREDENTIAL: 'exchange',
      TOKEN_EXCHANGE_URL: 'https://idp.example.com/oauth2/token',
      TOKEN_EXCHANGE_SECRET_ID: 'toolgate/token-exchange',
    });
    // Assert
    expect(exchanged?.covers('crm')).toBe(true);
    expect(exchanged?.covers('erp')).toBe(false);
  });

  it('is absent when no system exchanges, whatever else is set', () => {
    expect(build({ TOKEN_EXCHANGE_URL: 'https://idp.example.com/token' })).toBeUndefined();
  });

  it('names every missing setting at once when a system exchanges', () => {
    // Act
    const start = () =>
      build({ SYSTEM_CRM_CREDENTIAL: 'exchange', TOKEN_EXCHANGE_STYLE: 'entra_obo' });
    // Assert
    expect(start).toThrow(/SYSTEM_CRM_EXCHANGE_SCOPE must name/);
    expect(start).toThrow(/TOKEN_EXCHANGE_URL must be set/);
    expect(start).toThrow(/TOKEN_EXCHANGE_SECRET_ID must be set/);
  });

  it('refuses plain http to a provider that is not on this machine', () => {
    expect(() =>
      build({
        SYSTEM_CRM_CREDENTIAL: 'exchange',
        TOKEN_EXCHANGE_URL: 'http://idp.example.com/token',
        TOKEN_EXCHANGE_SECRET_ID: 'toolgate/token-exchange',
      }),
    ).toThrow(/must be https/);
  });
});
