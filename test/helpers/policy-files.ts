import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { defaultPolicyFile } from '#layers/policy/policy-file.ts';
import type { LocalHarness } from './local-mode.ts';

/**
 * A copy of the repository's policy directory (policy.yaml and the argument rules beside it) in a
 * temporary directory, for a test that edits it: never the repository's files.
 */
export async function copyPolicyDirectory(
  prefix: string,
): Promise<{ dir: string; file: string; original: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const file = join(dir, 'policy.yaml');
  await copyFile(defaultPolicyFile, file);
  for (const rules of ['orders.cedar', 'email.cedar'])
    await copyFile(join(dirname(defaultPolicyFile), rules), join(dir, rules));
  return { dir, file, original: await readFile(file, 'utf8') };
}

/** The repository's policy text with one more tool granted to the viewer role. */
export const grantViewer = (policyText: string, tool: string): string => {
  const grants = 'grants: [search_customers, get_customer]';
  expect(policyText).toContain(grants);
  return policyText.replace(grants, `grants: [search_customers, get_customer, ${tool}]`);
};

/** A policy change or refusal as `GET /audit?tool=policy` shows it. */
export interface PolicyRecord {
  sub: string;
  outcome: string;
  reason: string;
  errorMessage?: string;
  input: { version: string; previousVersion: string | null; source: string };
}

/** What a test of a running local mode asks about its policy, over HTTP. */
export const policyProbe = (
  local: () => LocalHarness,
  as: { viewer: { sub: string; roles: string[] }; auditor: { sub: string; roles: string[] } },
) => ({
  /** The tools the viewer may use now. */
  async toolNames(): Promise<string[]> {
    const answer = await local().call('GET', '/tools', { as: as.viewer });
    expect(answer.status).toBe(200);
    return (answer.body.tools as { name: string }[]).map((tool) => tool.name);
  },
  /** The policy's audit records, newest first; `query` adds filters (`&outcome=error`). */
  async policyRecords(query = ''): Promise<PolicyRecord[]> {
    const answer = await local().call('GET', `/audit?tool=policy${query}`, { as: as.auditor });
    expect(answer.status).toBe(200);
    return answer.body.records as PolicyRecord[];
  },
});
