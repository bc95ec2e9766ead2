import { describe, expect, it } from 'vitest';
import { parseSystemSettings } from '#layers/config/system-settings.ts';

describe('parseSystemSettings', () => {
  it('reads every setting of each system once', () => {
    const settings = parseSystemSettings(
      {
        SYSTEM_CRM_BASE_URL: 'https://api.hubapi.com',
        SYSTEM_CRM_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:1:secret:crm',
        SYSTEM_CRM_TIMEOUT_MS: '2500',
        SYSTEM_CRM_RATE_LIMIT: '100/10',
        SYSTEM_CRM_BREAKER: '0.5/10/30',
        SYSTEM_MAIL_BASE_URL: 'https://graph.microsoft.com',
        SYSTEM_MAIL_TOKEN_URL: 'https://login.microsoftonline.com/acme/oauth2/v2.0/token',
        SYSTEM_MAIL_RATE_LIMIT: 'off',
        SYSTEM_MAIL_BREAKER: 'off',
      },
      ['crm', 'erp', 'mail'],
    );
    expect(settings.get('crm')).toEqual({
      baseUrl: 'https://api.hubapi.com',
      secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:crm',
      timeoutMs: 2500,
      rateLimit: { requests: 100, perSeconds: 10 },
      breaker: { failureRate: 0.5, minimumCalls: 10, windowMs: 30_000 },
    });
    expect(settings.get('mail')).toMatchObject({ rateLimit: 'off', breaker: 'off' });
    expect(settings.has('erp')).toBe(false);
  });

  it('names every malformed setting of every system at once, at cold start', () => {
    const parse = () =>
      parseSystemSettings(
        {
          SYSTEM_CRM_RATE_LIMIT: 'ten per second',
          SYSTEM_CRM_BREAKER: 'half',
          SYSTEM_ERP_TIMEOUT_MS: '-5',
          SYSTEM_ERP_BASE_URL: 'erp.internal',
        },
        ['crm', 'erp'],
      );
    expect(parse).toThrow(
      /SYSTEM_CRM_RATE_LIMIT.*SYSTEM_CRM_BREAKER.*SYSTEM_ERP_BASE_URL.*SYSTEM_ERP_TIMEOUT_MS/,
    );
  });

  it("reads a database system's URL and IAM database user, and refuses a user name that is not one", () => {
    const settings = parseSystemSettings(
      {
        SYSTEM_LOGISTICS_BASE_URL: 'postgres://proxy.internal:5432/logistics',
        SYSTEM_LOGISTICS_DB_IAM_USER: 'toolgate_reader',
      },
      ['logistics'],
    );
    expect(settings.get('logistics')).toEqual({
      baseUrl: 'postgres://proxy.internal:5432/logistics',
      dbIamUser: 'toolgate_reader',
    });
    expect(() =>
      parseSystemSettings({ SYSTEM_LOGISTICS_DB_IAM_USER: 'reader; DROP' }, ['logistics']),
    ).toThrow(/SYSTEM_LOGISTICS_DB_IAM_USER must be a database user name/);
  });
});
