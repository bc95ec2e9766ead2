import { describe, expect, it } from 'vitest';
import { resolveStage, type StageOverrides } from '#infra/config/configs.ts';

const systemIds = ['crm', 'erp', 'ticketing', 'mail'];
const production: StageOverrides = {
  issuerUrl: 'https://login.acme.com/',
  audience: 'toolgate',
  systemBaseUrls: {
    crm: 'https://api.hubapi.com',
    erp: 'https://erp.acme.internal',
    ticketing: 'https://acme.zendesk.com',
    mail: 'https://graph.microsoft.com',
  },
};

describe('resolveStage mail settings', () => {
  it('lets a dev stage send only as its demo mailbox, with the default AI footer', () => {
    // Act
    const { mail } = resolveStage('dev-ana', {}, systemIds);

    // Assert
    expect(mail).toEqual({
      sender: 'assistant@acme.example',
      allowedSenders: [],
      roleSenders: {},
      aiFooter: expect.stringMatching(/AI assistant/),
    });
  });

  it("refuses prod without the gateway's own mailbox", () => {
    expect(() => resolveStage('prod', production, systemIds)).toThrow(
      /Stage "prod" needs: -c mailSender=/,
    );
  });

  it('takes the senders and the footer from context', () => {
    // Act
    const { mail } = resolveStage(
      'prod',
      {
        ...production,
        mailSender: 'toolgate@acme.com',
        mailAllowedSenders: 'service@acme.com',
        mailRoleSenders: '{"sales":["sales@acme.com"]}',
        mailAiFooter: 'Written with an AI assistant.',
      },
      systemIds,
    );

    // Assert
    expect(mail).toEqual({
      sender: 'toolgate@acme.com',
      allowedSenders: ['service@acme.com'],
      roleSenders: { sales: ['sales@acme.com'] },
      aiFooter: 'Written with an AI assistant.',
    });
  });

  it('names the context key of each bad mail setting', () => {
    expect(() =>
      resolveStage(
        'dev',
        { mailAllowedSenders: 'service@acme.com,nobody', mailRoleSenders: '["sales"]' },
        systemIds,
      ),
    ).toThrow(/mailAllowedSenders\.1: must be an email address; mailRoleSenders: /);
  });
});

describe('resolveStage console settings', () => {
  it("signs people in to the console with the API's issuer and the openid scope by default", () => {
    // Act
    const { consoleSignIn: settings } = resolveStage('dev-ana', {}, systemIds);

    // Assert
    expect(settings).toEqual({ scope: 'openid', connectOrigins: [] });
  });

  it('takes its issuer, scopes and further origins from context, origins reduced to origins', () => {
    // Act
    const { consoleSignIn: settings } = resolveStage(
      'dev',
      {
        consoleIssuerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
        consoleScope: 'openid toolgate/api',
        consoleConnectOrigins: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token',
      },
      systemIds,
    );

    // Assert
    expect(settings).toEqual({
      issuerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
      scope: 'openid toolgate/api',
      connectOrigins: ['https://acme.auth.eu-west-1.amazoncognito.com'],
    });
  });

  it('names the context key of each bad console setting', () => {
    expect(() =>
      resolveStage(
        'dev',
        { consoleIssuerUrl: 'login.acme.com', consoleConnectOrigins: 'https://ok.example,nope' },
        systemIds,
      ),
    ).toThrow(/Invalid console settings: consoleIssuerUrl: .*; consoleConnectOrigins\.1: /);
  });
});

describe('resolveStage audit retention', () => {
  it('locks audit records 7 years unless the deployer says otherwise', () => {
    expect(resolveStage('dev', {}, systemIds).auditRetentionYears).toBe(7);
    expect(resolveStage('dev', { auditRetentionYears: '10' }, systemIds).auditRetentionYears).toBe(
      10,
    );
  });

  it.each(['0', '1.5', 'seven', '100'])(
    'refuses auditRetentionYears=%s, naming the setting',
    (value) => {
      expect(() => resolveStage('dev', { auditRetentionYears: value }, systemIds)).toThrow(
        /auditRetentionYears must be a whole number of years from 1 to 99/,
      );
    },
  );
});

describe('resolveStage audit write capacity', () => {
  it('is on demand unless the deployer provisions a range of write units', () => {
    expect(resolveStage('dev', {}, systemIds).auditWriteCapacity).toBeUndefined();
    expect(
      resolveStage('dev', { auditWriteCapacity: 'on-demand' }, systemIds).auditWriteCapacity,
    ).toBeUndefined();
    expect(
      resolveStage('dev', { auditWriteCapacity: '25-500' }, systemIds).auditWriteCapacity,
    ).toEqual({ min: 25, max: 500 });
  });

  it.each(['0-10', '50-10', '25', 'lots', '10-50000'])(
    'refuses auditWriteCapacity=%s, naming the setting and its form',
    (value) => {
      expect(() => resolveStage('dev', { auditWriteCapacity: value }, systemIds)).toThrow(
        /auditWriteCapacity must be <min>-<max> write units/,
      );
    },
  );
});

describe('resolveStage Powertools Tracer', () => {
  it('is off unless the deployer turns it on, and refuses anything but on or off', () => {
    expect(resolveStage('dev', {}, systemIds).powertoolsTracer).toBe(false);
    expect(resolveStage('dev', { powertoolsTracer: 'on' }, systemIds).powertoolsTracer).toBe(true);
    expect(() => resolveStage('dev', { powertoolsTracer: 'yes' }, systemIds)).toThrow(
      /powertoolsTracer must be on or off/,
    );
  });
});
