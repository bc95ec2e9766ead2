import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultPolicyFile } from '#layers/policy/policy-file.ts';
import { loadPolicyText } from '#layers/policy/policy-yaml.ts';

const FILE = 'infra/policy/policy.yaml';
const repoText = readFileSync(defaultPolicyFile, 'utf8');

const minimal = (viewer: string) => `approverRole: approver
adminRole: admin
auditorRole: auditor
roles:
  approver:
    description: Confirms.
    grants: []
  viewer:
${viewer}
`;

describe('loadPolicyText', () => {
  it('validates the deployment policy file and derives a 12-digit version from it', () => {
    const { policy, document } = loadPolicyText(repoText, FILE);

    expect(policy.version).toMatch(/^[0-9a-f]{12}$/);
    expect(Object.keys(policy.roles)).toContain('viewer');
    expect(document.policy).toMatchObject({ approverRole: 'approver' });
  });

  it('keeps the version when only comments and layout change, and changes it with a grant', () => {
    const base = loadPolicyText(
      minimal('    description: Looks.\n    grants: [get_customer]'),
      FILE,
    ).policy;

    const reformatted = loadPolicyText(
      `# a comment\n${minimal('    description: Looks.\n    grants:\n      - get_customer')}`,
      FILE,
    ).policy;
    const granted = loadPolicyText(
      minimal('    description: Looks.\n    grants: [get_customer, search_customers]'),
      FILE,
    ).policy;

    expect(reformatted.version).toBe(base.version);
    expect(granted.version).not.toBe(base.version);
  });

  it('names file, line and path of a field that is not in the canonical model', () => {
    const text = minimal(
      '    description: Looks.\n    grants: [get_customer]\n    fields:\n      mask:\n        - contact.fax',
    );

    expect(() => loadPolicyText(text, FILE)).toThrow(
      /infra\/policy\/policy\.yaml:13: roles\.viewer\.fields\.mask\[0\]: "contact\.fax" is not a field of the canonical model/,
    );
  });

  it('names the line of the nearest key when a required one is missing', () => {
    const text = minimal('    grants: [get_customer]');

    expect(() => loadPolicyText(text, FILE)).toThrow(
      /infra\/policy\/policy\.yaml:9: roles\.viewer\.description: /,
    );
  });

  it('refuses a version written by hand, naming its line', () => {
    const text = `version: '2026-12-03'\n${minimal('    description: Looks.\n    grants: []')}`;

    expect(() => loadPolicyText(text, FILE)).toThrow(
      /infra\/policy\/policy\.yaml:1: version: the version is derived from the content/,
    );
  });

  it('names line and column of a syntax error', () => {
    const text = minimal('    description: Looks.\n    grants: [get_customer');

    expect(() => loadPolicyText(text, FILE)).toThrow(/infra\/policy\/policy\.yaml:\d+:\d+: /);
  });

  it('refuses a file that holds no mapping', () => {
    expect(() => loadPolicyText('- viewer\n', FILE)).toThrow(
      /infra\/policy\/policy\.yaml:1: the file must hold a mapping/,
    );
  });

  it('counts the argument rules given with the file into the version', () => {
    const text = minimal('    description: Looks.\n    grants: []');

    const without = loadPolicyText(text, FILE).policy;
    const withRules = loadPolicyText(text, FILE, { cedar: { 'orders.cedar': 'permit(...);' } });

    expect(withRules.policy.version).not.toBe(without.version);
    expect(withRules.document.cedar).toEqual({ 'orders.cedar': 'permit(...);' });
  });
});
