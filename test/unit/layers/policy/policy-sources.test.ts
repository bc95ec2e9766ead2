import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fieldRulesOf } from '#layers/core/field-rules.ts';
import { type FilePolicySource, watchPolicyFile } from '#layers/policy/file-policy-source.ts';
import { defaultPolicyFile } from '#layers/policy/policy-file.ts';
import {
  livePolicy,
  type PolicyChange,
  PolicyHolder,
  type PolicyListener,
} from '#layers/policy/policy-source.ts';
import { loadPolicyText } from '#layers/policy/policy-yaml.ts';
import { loadRemotePolicySource } from '#layers/policy/remote-policy-source.ts';
import { eventually } from '#test/helpers/webhooks.ts';

const repoText = await readFile(defaultPolicyFile, 'utf8');
/** The repository's policy with the viewer also granted `get_customer_orders`. */
const widened = repoText.replace(
  'grants: [search_customers, get_customer]',
  'grants: [search_customers, get_customer, get_customer_orders]',
);
const broken = repoText.replace('mask: [contact.email, contact.phone]', 'mask: [contact.fax]');

const recorder = () => {
  const taken: PolicyChange[] = [];
  const refused: string[] = [];
  const listener: PolicyListener = {
    taken: (change) => taken.push(change),
    refused: (problem) => refused.push(problem.message),
  };
  return { taken, refused, listener };
};

describe('PolicyHolder', () => {
  it('takes a valid update, ignores an equal one and refuses a bad one, keeping the last good', () => {
    const { taken, refused, listener } = recorder();
    const holder = new PolicyHolder(listener);
    const first = loadPolicyText(repoText, 'p.yaml').policy;
    const second = loadPolicyText(widened, 'p.yaml').policy;

    holder.offer('p.yaml', () => first);
    holder.offer('p.yaml', () => first);
    holder.offer('p.yaml', () => second);
    const kept = holder.offer('p.yaml', () => loadPolicyText(broken, 'p.yaml').policy);

    expect(kept).toBe(false);
    expect(holder.current().version).toBe(second.version);
    expect(taken.map((change) => [change.previousVersion, change.version])).toEqual([
      [undefined, first.version],
      [first.version, second.version],
    ]);
    expect(refused).toEqual([
      expect.stringMatching(/p\.yaml:\d+: roles\.viewer\.fields\.mask\[0\]/),
    ]);
  });
});

describe('livePolicy', () => {
  it('answers from the current policy, field rules included, after a change', () => {
    const holder = new PolicyHolder();
    holder.offer('p.yaml', () => loadPolicyText(repoText, 'p.yaml').policy);
    const policy = livePolicy(holder);
    const before = fieldRulesOf(policy);

    holder.offer('p.yaml', () => loadPolicyText(widened, 'p.yaml').policy);

    expect(policy.version).toBe(holder.current().version);
    expect(policy.roles.viewer?.grants).toContain('get_customer_orders');
    expect(Object.keys(policy)).toEqual(Object.keys(holder.current()));
    expect(fieldRulesOf(policy)).not.toBe(before);
  });
});

describe('loadRemotePolicySource', () => {
  const documentText = (text: string) =>
    JSON.stringify(loadPolicyText(text, 'infra/policy/policy.yaml').document);

  it('reads once at load, then refreshes in the background once the policy is older than the refresh time', async () => {
    let now = 0;
    let stored = documentText(repoText);
    let reads = 0;
    const tasks: Promise<unknown>[] = [];
    const { taken, refused, listener } = recorder();
    const source = await loadRemotePolicySource({
      source: 'appconfig:app/env/profile',
      read: async () => {
        reads++;
        return stored;
      },
      refreshMs: 60_000,
      listener,
      now: () => now,
      run: (_label, task) => tasks.push(task()),
    });
    const firstVersion = source.current().version;

    stored = documentText(widened);
    now = 59_999;
    const early = source.current().version;
    now = 60_000;
    const during = source.current().version;
    await Promise.all(tasks);
    const after = source.current().version;

    expect(reads).toBe(2);
    expect(early).toBe(firstVersion);
    expect(during).toBe(firstVersion);
    expect(after).not.toBe(firstVersion);
    expect(taken.map((change) => change.source)).toEqual([
      'appconfig:app/env/profile',
      'appconfig:app/env/profile',
    ]);
    expect(refused).toEqual([]);
  });

  it('refuses an update that does not validate and keeps the last good policy', async () => {
    let now = 0;
    let stored = documentText(repoText);
    const tasks: Promise<unknown>[] = [];
    const { refused, listener } = recorder();
    const source = await loadRemotePolicySource({
      source: 'appconfig:p',
      read: async () => stored,
      refreshMs: 1_000,
      listener,
      now: () => now,
      run: (_label, task) => tasks.push(task()),
    });
    const good = source.current().version;

    stored = JSON.stringify({ policy: { ...JSON.parse(stored).policy, adminRole: '' } });
    now = 1_000;
    source.current();
    await Promise.all(tasks);

    expect(source.current().version).toBe(good);
    expect(refused).toEqual([
      expect.stringMatching(/appconfig:p does not validate:[\s\S]*adminRole/),
    ]);
  });

  it('fails the load when the first read does not validate: there is no last good policy', async () => {
    await expect(
      loadRemotePolicySource({
        source: 'appconfig:p',
        read: async () => 'not json',
        refreshMs: 1_000,
      }),
    ).rejects.toThrow(/appconfig:p does not validate: it is not JSON/);
  });
});

describe('watchPolicyFile', () => {
  let dir: string | undefined;
  let source: FilePolicySource | undefined;
  afterEach(async () => {
    source?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes up a saved edit without a restart and refuses a bad one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolgate-policy-'));
    const file = join(dir, 'policy.yaml');
    await writeFile(file, repoText);
    const { taken, refused, listener } = recorder();
    source = watchPolicyFile(file, listener);
    const first = source.current().version;

    await writeFile(file, widened);
    const second = await eventually('the edit taken up', async () =>
      source?.current().version !== first ? source?.current().version : undefined,
    );
    await writeFile(file, broken);
    await eventually('the bad edit refused', async () => (refused.length > 0 ? true : undefined));

    expect(source.current().version).toBe(second);
    expect(taken.map((change) => change.previousVersion)).toEqual([undefined, first]);
    expect(refused[0]).toMatch(/policy\.yaml:\d+: roles\.viewer\.fields\.mask\[0\]/);
  });

  it('fails at once when the file does not validate', async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolgate-policy-'));
    const file = join(dir, 'policy.yaml');
    await writeFile(file, broken);

    expect(() => watchPolicyFile(file)).toThrow(
      /policy\.yaml:\d+: roles\.viewer\.fields\.mask\[0\]/,
    );
  });
});
