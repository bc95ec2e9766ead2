import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { policyDocumentJson } from '#layers/policy/policy-content.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { copyPolicyDirectory, grantViewer, policyProbe } from '#test/helpers/policy-files.ts';
import { eventually } from '#test/helpers/webhooks.ts';

const run = randomUUID().slice(0, 8);
const vic = { sub: `vic-${run}`, roles: ['viewer'] };
const auditor = { sub: `aud-${run}`, roles: ['auditor'] };
const REFRESH_SECONDS = 1;
const SOURCE = 'appconfig:toolgate-local/local/policy';

describe('policy through the embedded AppConfig (TOOLGATE_POLICY_SOURCE=appconfig)', () => {
  let local: LocalHarness;
  let dir: string;
  let file: string;
  let original: string;
  const { toolNames, policyRecords } = policyProbe(() => local, { viewer: vic, auditor });

  beforeAll(async () => {
    ({ dir, file, original } = await copyPolicyDirectory('toolgate-appconfig-'));
    local = await startLocalHarness(
      { POLICY_REFRESH_SECONDS: String(REFRESH_SECONDS) },
      { policyFile: file, policySource: 'appconfig' },
    );
  }, 120_000);
  afterAll(async () => {
    await local.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes up a deployed change within the refresh time, and refuses a bad one keeping the last good', async () => {
    // Arrange: the first load came through AppConfig.
    const loaded = await eventually('the first load in the audit trail', async () =>
      (await policyRecords()).find((record) => record.input.previousVersion === null),
    );
    expect(loaded.input.source).toBe(SOURCE);
    expect(await toolNames()).not.toContain('get_customer_orders');

    // Act: the file changes, and is deployed to AppConfig as the CDK app would deploy it.
    const deployedAt = Date.now();
    await writeFile(file, grantViewer(original, 'get_customer_orders'));

    // Assert: the gateway takes it up by polling AppConfig, within the refresh time plus a read
    // (with room for a busy machine), and audits it from AppConfig.
    await eventually('the viewer granted get_customer_orders', async () =>
      (await toolNames()).includes('get_customer_orders') ? true : undefined,
    );
    const tookMs = Date.now() - deployedAt;
    expect(tookMs).toBeLessThan(REFRESH_SECONDS * 1000 + 4000);
    const changed = await eventually('the change in the audit trail', async () =>
      (await policyRecords()).find(
        (record) => record.input.previousVersion === loaded.input.version,
      ),
    );
    expect(changed.input.source).toBe(SOURCE);

    // Act: a document deployed around the CDK app that does not validate.
    const bad = original.replace('mask: [contact.email, contact.phone]', 'mask: [contact.fax]');
    expect(bad).not.toBe(original);
    const appConfig = local.appConfig;
    if (!appConfig) throw new Error('local mode did not start its AppConfig');
    appConfig.deploy(policyDocumentJson({ policy: parse(bad) }));

    // Assert: refused and audited with its problem; the last good policy stays.
    const refused = await eventually(
      'the refusal in the audit trail',
      async () => (await policyRecords('&outcome=error'))[0],
    );
    expect(refused.errorMessage).toContain(SOURCE);
    expect(refused.errorMessage).toContain('"contact.fax" is not a field of the canonical model');
    expect(refused.errorMessage).toContain('roles.viewer.fields.mask[0]');
    expect(await toolNames()).toContain('get_customer_orders');
  });
});
