import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '#layers/connectors/authenticator.ts';
import { FileSecretProvider } from '#layers/secrets/file-secret-provider.ts';
import { systems } from '#layers/systems/registry.ts';
import { systemLines } from '#local/banner.ts';
import { systemSandboxes } from '#local/sandboxes/registry.ts';
import { type RunningSandbox, startSandbox } from '#local/sandboxes/server.ts';
import { defineSystemSandbox, demoSecret } from '#local/sandboxes/system-sandbox.ts';
import type { WebhookTarget } from '#local/sandboxes/webhooks.ts';
import { type LocalMode, startLocalMode } from '#local/start-local.ts';
import { billing, payroll } from '#test/helpers/extra-systems.ts';

/** Where local mode pointed the billing sandbox's webhooks. */
const billingHooks: (WebhookTarget | undefined)[] = [];

/** A sandbox declared here only: local mode must start and wire it from the declaration alone. */
const billingSandbox = defineSystemSandbox({
  system: 'billing',
  label: 'Billing sandbox (test)',
  auth: 'api_key',
  demoCredentials: () => ({ apiKey: `bk-${demoSecret(18)}` }),
  webhookSource: 'stripe',
  async start({ port, credentials }): Promise<RunningSandbox> {
    const running = await startSandbox(
      {
        name: 'billing',
        routes: [
          {
            method: 'GET',
            path: '/invoices/{id}',
            operation: 'invoices.get',
            handle: ({ params }) => ({ status: 200, body: { id: params.id, total: '12.50' } }),
          },
        ],
        authenticate: (headers) =>
          headers['x-api-key'] === credentials.apiKey
            ? undefined
            : { status: 401, body: { message: 'bad key' } },
        errorReply: (status, message) => ({ status, body: { message } }),
      },
      { port },
    );
    return { ...running, setWebhooks: (target) => billingHooks.push(target) };
  },
});

describe('local mode with a system the bundled sandboxes do not know', () => {
  let dataDir: string;
  let local: LocalMode<(typeof systemSandboxes)[number]['system'] | 'billing'>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'toolgate-local-systems-'));
    local = await startLocalMode({
      port: 0,
      dataDir,
      systems: [...systems, billing, payroll],
      sandboxes: [...systemSandboxes, billingSandbox],
    });
  });
  afterAll(async () => {
    await local?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts the new system's sandbox beside the bundled ones", async () => {
    // Act
    const health = await fetch(`${local.sandboxes.billing}/_sandbox/health`);

    // Assert
    expect(await health.json()).toEqual({ status: 'ok', system: 'billing' });
    expect(Object.keys(local.sandboxes)).toEqual([
      'crm',
      'erp',
      'ticketing',
      'mail',
      'logistics',
      'facilities',
      'billing',
    ]);
  });

  it('reaches the new sandbox as the gateway does, with its settings and the demo key of the secrets file', async () => {
    // Arrange
    const secretsFile = JSON.parse(await readFile(local.secretsFile, 'utf8'));
    const baseUrl = local.functionEnv.SYSTEM_BILLING_BASE_URL;
    const authenticator = createAuthenticator({
      system: billing,
      baseUrl: baseUrl ?? '',
      secretId: local.functionEnv.SYSTEM_BILLING_SECRET_ID ?? '',
      secrets: new FileSecretProvider({ path: local.functionEnv.LOCAL_SECRETS_FILE ?? '' }),
    });

    // Act
    const response = await fetch(`${baseUrl}/invoices/INV-7`, {
      headers: await authenticator.headers({ fetchToken: fetch }),
    });

    // Assert
    expect(baseUrl).toBe(local.sandboxes.billing);
    expect(secretsFile.systems.billing.apiKey).toMatch(/^bk-/);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'INV-7', total: '12.50' });
  });

  it("points the new sandbox's webhooks at the gateway, signed with its source's secret", async () => {
    // Arrange
    const secretsFile = JSON.parse(await readFile(local.secretsFile, 'utf8'));

    // Assert
    expect(billingHooks).toEqual([
      { url: `${local.url}/webhooks/stripe`, secret: secretsFile.webhooks.stripe.current },
    ]);
  });

  it('starts a system no sandbox plays without one, and says what it takes to reach it', () => {
    // Act
    const lines = systemLines(local.systems);

    // Assert
    expect(local.functionEnv.SYSTEM_PAYROLL_BASE_URL).toBeUndefined();
    expect(local.functionEnv.SYSTEM_PAYROLL_SECRET_ID).toBe('payroll');
    expect(lines.at(-2)).toBe(`  Billing sandbox (test):               ${local.sandboxes.billing}`);
    expect(lines.at(-1)).toBe(
      '  Payroll: no sandbox (local/sandboxes/registry.ts); its tools fail until SYSTEM_PAYROLL_BASE_URL names its API and the local secrets file holds systems.payroll',
    );
  });

  it('still serves the bundled systems', async () => {
    // Arrange
    const token = await local.issuer.issue({ sub: 'ana', roles: ['support'] });

    // Act
    const response = await fetch(`${local.url}/tools/get_customer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'C-00001' }),
    });

    // Assert
    expect(response.status).toBe(200);
  });
});
