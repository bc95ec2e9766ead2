import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '#layers/auth/policy.ts';
import { scanErrorCodes } from '#test/helpers/error-codes.ts';
import { paragraphs, readme, section } from '#test/helpers/readme.ts';

const CODE = /`([a-z][a-z0-9]*(?:_[a-z0-9]+)*)`/g;

/** The catalogue's rows: status → the codes named in that row. */
function catalogue(text: string): Map<number, Set<string>> {
  const rows = new Map<number, Set<string>>();
  for (const line of section(text, 'Error codes').split('\n')) {
    const [, status, codes] = /^\| (\d{3}) \|([^|]*)\|/.exec(line) ?? [];
    if (!status || codes === undefined) continue;
    const named = rows.get(Number(status)) ?? new Set<string>();
    for (const [, code] of codes.matchAll(CODE)) named.add(code ?? '');
    rows.set(Number(status), named);
  }
  return rows;
}

describe('README.md', () => {
  const text = readme();

  it('names every role of the policy where it lists the roles of local mode', () => {
    const roles = paragraphs(text).find((paragraph) => paragraph.startsWith('Roles in local mode'));
    expect(roles).toBeDefined();
    for (const role of Object.keys(defaultPolicy.roles)) expect(roles).toContain(`\`${role}\``);
  });

  it('lists under its status every error code the source can answer with, and no other', () => {
    const { codes, computed } = scanErrorCodes();
    // A computed code could be anything: error codes are a contract, so each is written out.
    expect(computed).toEqual([]);
    expect([...codes].filter(([, statuses]) => statuses.size === 0)).toEqual([]);
    expect(codes.get('upstream_error')).toEqual(new Set([502]));
    const rows = catalogue(text);
    const listed = [...rows].flatMap(([status, named]) =>
      [...named].map((code) => `${status} ${code}`),
    );
    const produced = [...codes].flatMap(([code, statuses]) =>
      [...statuses].map((status) => `${status} ${code}`),
    );
    expect(listed.sort()).toEqual(produced.sort());
  });
});
