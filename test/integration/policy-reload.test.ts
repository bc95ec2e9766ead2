import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyFile } from '#layers/policy/policy-file.ts';
import { loadPolicyFile } from '#layers/policy/policy-yaml.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { copyPolicyDirectory, grantViewer, policyProbe } from '#test/helpers/policy-files.ts';
import { eventually } from '#test/helpers/webhooks.ts';

const run = randomUUID().slice(0, 8);
const vic = { sub: `vic-${run}`, roles: ['viewer'] };
const auditor = { sub: `aud-${run}`, roles: ['auditor'] };

describe('policy file in local mode', () => {
  let local: LocalHarness;
  let dir: string;
  let file: string;
  let original: string;
  const { toolNames, policyRecords } = policyProbe(() => local, { viewer: vic, auditor });

  beforeAll(async () => {
    ({ dir, file, original } = await copyPolicyDirectory('toolgate-policy-'));
    local = await startLocalHarness({}, { policyFile: file });
  }, 120_000);
  afterAll(async () => {
    await local.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes up an edit without a restart, refuses a bad one and records each version in the audit trail', async () => {
    // Arrange: the first load is in the audit trail.
    const loaded = await eventually('the first load in the audit trail', async () => {
      const records = await policyRecords();
      return records.find((record) => record.input.previousVersion === null);
    });
    expect(await toolNames()).not.toContain('get_customer_orders');

    // Act: the viewer is granted get_customer_orders in the file.
    await writeFile(file, grantViewer(original, 'get_customer_orders'));

    // Assert: it takes effect over HTTP, and the change is audited with both versions.
    await eventually('the viewer granted get_customer_orders', async () =>
      (await toolNames()).includes('get_customer_orders') ? true : undefined,
    );
    const changed = await eventually('the change in the audit trail', async () => {
      const records = await policyRecords();
      return records.find((record) => record.input.previousVersion === loaded.input.version);
    });
    expect(changed).toMatchObject({
      sub: 'system:policy',
      input: { source: expect.stringContaining('policy.yaml') },
    });
    expect(changed.input.version).not.toBe(loaded.input.version);

    // Act: a bad edit (a field the canonical model does not have).
    await writeFile(
      file,
      original.replace('mask: [contact.email, contact.phone]', 'mask: [contact.fax]'),
    );

    // Assert: refused, in the audit trail with its problem and line, and the last good policy stays.
    const refused = await eventually('the refusal in the audit trail', async () => {
      const answer = await local.call('GET', '/audit?tool=policy&outcome=error', { as: auditor });
      return (answer.body.records as { errorMessage: string }[])[0];
    });
    expect(refused.errorMessage).toMatch(
      /policy\.yaml:\d+: roles\.viewer\.fields\.mask\[0\]: "contact\.fax"/,
    );
    expect(await toolNames()).toContain('get_customer_orders');
  });

  it('takes up an argument rule edited beside the file, and refuses one naming an unknown field', async () => {
    // Arrange: the good policy again (the test above left a refused edit in the file).
    const sam = { sub: `sam-${run}`, roles: ['sales'] };
    const orders = (limit: number) =>
      local.call('POST', '/tools/get_customer_orders', {
        as: sam,
        body: { customerId: 'C-00021', limit },
      });
    await writeFile(file, original);
    const refusedAt50 = await eventually('the rule refusing a limit of 60', async () => {
      const answer = await orders(60);
      return answer.body.error?.code === 'argument_not_allowed' ? answer : undefined;
    });
    expect(refusedAt50.body.error.message).toContain('orders-limit-up-to-50');
    const rulesFile = join(dir, 'orders.cedar');
    const rules = await readFile(rulesFile, 'utf8');
    expect(rules).toContain('context.limit > 50');

    // Act: the rule's limit is raised to 80 in its file.
    await writeFile(rulesFile, rules.replace('context.limit > 50', 'context.limit > 80'));

    // Assert: a limit of 60 passes without a restart.
    await eventually('a limit of 60 allowed', async () =>
      (await orders(60)).status === 200 ? true : undefined,
    );

    // Act: a rule naming an input field get_customer_orders does not have.
    await writeFile(rulesFile, rules.replace('context.limit > 50', 'context.lmit > 80'));

    // Assert: refused with file, line and field in the audit trail; the last good rules stay.
    const refused = await eventually('the rule refused in the audit trail', async () => {
      const answer = await local.call('GET', '/audit?tool=policy&outcome=error', { as: auditor });
      return (answer.body.records as { errorMessage: string }[]).find((record) =>
        record.errorMessage.includes('orders.cedar'),
      );
    });
    expect(refused.errorMessage).toMatch(/orders\.cedar:\d+: .*lmit/);
    expect((await orders(60)).status).toBe(200);
    expect((await orders(90)).body.error?.code).toBe('argument_not_allowed');
  });
  it('confirms a write proposed before an unrelated edit, and refuses one the edit made stricter', async () => {
    // Arrange: the repository's policy and rules again (the tests above left edits behind).
    const sam = { sub: `sam-${run}`, roles: ['sales'] };
    const rulesFile = join(dir, 'orders.cedar');
    const rules = await readFile(join(dirname(defaultPolicyFile), 'orders.cedar'), 'utf8');
    await writeFile(file, original);
    await writeFile(rulesFile, rules);
    const propose = () =>
      local.call('POST', '/tools/create_order', {
        as: sam,
        body: { customerId: 'C-00021', lines: [{ sku: 'SKU-10005', quantity: 1 }] },
      });
    // The version each state of the files makes, as the gateway derives it from the content.
    const versionOfFiles = () => loadPolicyFile(file).policy.version;
    const confirm = (id: string) =>
      local.call('POST', `/confirmations/${id}`, { as: sam, person: true });
    await eventually('the limit rule of the repository back', async () =>
      (
        await local.call('POST', '/tools/get_customer_orders', {
          as: sam,
          body: { customerId: 'C-00021', limit: 60 },
        })
      ).body.error?.code === 'argument_not_allowed'
        ? true
        : undefined,
    );
    const proposed = await propose();
    expect(proposed.status).toBe(202);
    expect(proposed.body.confirmation.confirmBy).toBe('self');
    const proposedUnder = versionOfFiles();

    // Act: an unrelated edit (the viewer granted get_order_status) between proposal and confirmation.
    await writeFile(file, grantViewer(original, 'get_order_status'));
    await eventually('the viewer granted get_order_status', async () =>
      (await toolNames()).includes('get_order_status') ? true : undefined,
    );
    const confirmed = await confirm(proposed.body.confirmation.id);

    // Assert: confirmed, and its audit record names the version it was confirmed under.
    expect(confirmed.status).toBe(202);
    const confirmedUnder = versionOfFiles();
    expect(confirmedUnder).not.toBe(proposedUnder);
    const record = await eventually('the confirmation in the audit trail', async () => {
      const answer = await local.call('GET', `/audit?sub=${sam.sub}`, { as: auditor });
      return (answer.body.records as { input?: Record<string, unknown> }[]).find(
        (entry) => entry.input?.confirmationId === proposed.body.confirmation.id,
      );
    });
    expect(record.input).toMatchObject({ decision: 'confirm', policyVersion: confirmedUnder });

    // Act: a proposal, then the threshold lowered below its total.
    const second = await propose();
    expect(second.body.confirmation.confirmBy).toBe('self');
    await writeFile(rulesFile, rules.replace('context.amount > 1000', 'context.amount > 100'));
    await eventually('the lower threshold taken up', async () =>
      (await propose()).body.confirmation?.confirmBy === 'approver' ? true : undefined,
    );
    const stale = await confirm(second.body.confirmation.id);

    // Assert: refused, saying what changed.
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('confirmation_stale');
    expect(stale.body.error.message).toContain('"create_order" now needs an approver');
  });
});
