import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { defaultPolicyFile } from '#layers/policy/policy-file.ts';

/** `npm run --silent policy -- <args>`, as a person types it. */
const policyCli = (...args: string[]) => {
  const result = spawnSync('npm', ['run', '--silent', 'policy', '--', ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** `npm run policy -- explain` for a caller, a tool and an optional input. */
const explain = (sub: string, roles: string, tool: string, input?: unknown) =>
  policyCli(
    'explain',
    ...['--sub', sub, '--roles', roles, '--tool', tool],
    ...(input === undefined ? [] : ['--input', JSON.stringify(input)]),
  );

describe('npm run policy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolgate-policy-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('checks the deployment policy file and prints the version derived from it', () => {
    const result = policyCli('check');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      `infra/policy/policy.yaml is valid: version ${defaultPolicy.version}`,
    );
  });

  it('refuses a file that does not validate, naming file, line and field', async () => {
    const file = join(dir, 'bad.yaml');
    const text = await readFile(defaultPolicyFile, 'utf8');
    await writeFile(
      file,
      text.replace('mask: [contact.email, contact.phone]', 'mask: [contact.fax]'),
    );

    const result = policyCli('check', file);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /bad\.yaml:\d+: roles\.viewer\.fields\.mask\[0\]: "contact\.fax" is not a field of the canonical model/,
    );
  });

  it('explains which grant allows a viewer get_customer, which fields are masked, and a bad input field', () => {
    const result = explain('vic', 'viewer', 'get_customer', { customerId: '42' });

    expect(result.status).toBe(1);
    expect(result.stdout).toContain('- Allowed: role viewer grants "get_customer".');
    expect(result.stdout).toContain('- Field contact.phone at customer.contacts[].phone: masked.');
    expect(result.stdout).toMatch(/- Input customerId: /);
  });

  it('says who confirms a write, and that no role of a viewer grants it', () => {
    const sales = policyCli(
      'explain',
      '--sub',
      'sam',
      '--roles',
      'sales',
      '--tool',
      'create_order',
      '--input',
      '{"customerId":"C-00042","lines":[{"sku":"SKU-10001","quantity":1}]}',
    );
    const viewer = policyCli(
      'explain',
      '--sub',
      'vic',
      '--roles',
      'viewer',
      '--tool',
      'create_order',
    );

    // create_order is the proposer's own to confirm, raised to four eyes by an argument rule.
    expect(sales.stdout).toContain('sam confirms it themselves');
    expect(sales.stdout).toMatch(
      /Argument rule order-approval-over-1000 \(orders\.cedar:\d+\) raises the write to four eyes/,
    );
    expect(sales.stdout).toContain('the rules also read amount from the systems');
    expect(viewer.status).toBe(0);
    expect(viewer.stdout).toContain('- Not allowed: none of these roles grants it.');
    expect(viewer.stdout).toContain('Roles that have one: sales, admin.');
  });

  it('names an unknown tool with the one meant, and an unknown role with the known ones', () => {
    const tool = explain('a', 'support', 'get_custmer');
    const role = explain('a', 'supprt', 'get_customer');

    expect(tool.status).toBe(2);
    expect(tool.stderr).toContain('Unknown tool "get_custmer". Did you mean get_customer?');
    expect(role.status).toBe(2);
    expect(role.stderr).toContain('Unknown role "supprt": the policy\'s roles are viewer, support');
  });
});
