import { describe, expect, it } from 'vitest';
import { crm, erp, systems } from '#layers/systems/registry.ts';
import { systemLines } from '#local/banner.ts';
import { castSandboxes, startLocalSystems } from '#local/local-systems.ts';
import { crmSandbox } from '#local/sandboxes/crm.ts';
import { systemSandboxes } from '#local/sandboxes/registry.ts';
import { defineSystemSandbox } from '#local/sandboxes/system-sandbox.ts';
import { payroll } from '#test/helpers/extra-systems.ts';

const unused = () => Promise.reject(new Error('not started in this test'));

describe('castSandboxes', () => {
  it('pairs every system of the registry with its bundled sandbox, in the registry order', () => {
    // Act
    const cast = castSandboxes(systems, systemSandboxes);

    // Assert
    expect(cast.map(({ system, sandbox }) => [system.id, sandbox?.system])).toEqual([
      ['crm', 'crm'],
      ['erp', 'erp'],
      ['ticketing', 'ticketing'],
      ['mail', 'mail'],
      ['logistics', 'logistics'],
      ['facilities', 'facilities'],
    ]);
  });

  it('keeps a system no sandbox plays, without a sandbox', () => {
    // Act
    const cast = castSandboxes([crm, payroll], [crmSandbox]);

    // Assert
    expect(cast).toEqual([{ system: crm, sandbox: crmSandbox }, { system: payroll }]);
  });

  it('lists every sandbox that cannot play, naming the sandbox and what to fix', () => {
    // Arrange
    const stray = defineSystemSandbox({
      system: 'warehouse',
      label: 'Warehouse sandbox',
      auth: 'bearer',
      demoCredentials: () => ({ token: 't' }),
      start: unused,
    });
    const wrongAuth = defineSystemSandbox({
      system: 'erp',
      label: 'Other ERP sandbox',
      auth: 'basic',
      demoCredentials: () => ({ username: 'u', password: 'p' }),
      webhookSource: 'nowhere',
      start: unused,
    });

    // Act
    const cast = () => castSandboxes([crm, erp], [crmSandbox, stray, wrongAuth, crmSandbox]);

    // Assert
    expect(cast).toThrow(
      [
        'Local mode cannot start its sandboxes:',
        '- more than one sandbox plays the system "crm"',
        '- the sandbox "Warehouse sandbox" plays the system "warehouse", which layers/systems/registry.ts does not declare',
        '- the sandbox "Other ERP sandbox" checks basic credentials, but the system "erp" is declared with oauth2_client_credentials',
        '- the sandbox "Other ERP sandbox" signs its webhooks as "nowhere", which layers/webhooks/sources.ts does not declare',
      ].join('\n'),
    );
  });
});

describe('startLocalSystems', () => {
  it("refuses credentials that do not fit a sandbox's auth mode, naming the entry but not its values", async () => {
    // Arrange
    const start = startLocalSystems({
      cast: [{ system: crm, sandbox: crmSandbox }],
      secrets: { systems: { crm: { tokn: 'pat-very-secret' } }, webhooks: {}, notifications: {} },
      secretsFile: '/tmp/secrets.local.json',
      portOf: () => 0,
    });

    // Act + Assert
    await expect(start).rejects.toThrow(
      'The local secrets file /tmp/secrets.local.json has unusable bearer credentials under systems.crm (token); fix them, or delete the entry to get new demo values.',
    );
    await expect(start).rejects.not.toThrow(/pat-very-secret/);
  });
});

describe('systemLines', () => {
  it('prints the bundled sandboxes as npm start always has', () => {
    // Arrange
    const url = (port: number) => `http://127.0.0.1:${port}`;
    const started = castSandboxes(systems, systemSandboxes).map(({ system, sandbox }, index) => ({
      system,
      sandbox: { label: sandbox?.label ?? '', url: url(3001 + index) },
    }));

    // Act
    const lines = systemLines(started);

    // Assert
    expect(lines).toEqual([
      '  CRM sandbox (HubSpot CRM v3 shape):   http://127.0.0.1:3001',
      '  ERP sandbox (orders, inventory):      http://127.0.0.1:3002',
      '  Ticketing sandbox (Zendesk shape):    http://127.0.0.1:3003',
      '  Mail sandbox (Graph sendMail shape):  http://127.0.0.1:3004',
      '  Logistics DB (legacy PostgreSQL):     http://127.0.0.1:3005',
      '  Facilities sandbox (asset register):  http://127.0.0.1:3006',
    ]);
  });
});
