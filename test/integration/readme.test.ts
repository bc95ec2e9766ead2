import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '#layers/auth/policy.ts';
import { paragraphs, readme } from '#test/helpers/readme.ts';

describe('README.md', () => {
  const text = readme();

  it('names every role of the policy where it lists the roles of local mode', () => {
    const roles = paragraphs(text).find((paragraph) => paragraph.startsWith('Roles in local mode'));
    expect(roles).toBeDefined();
    for (const role of Object.keys(defaultPolicy.roles)) expect(roles).toContain(`\`${role}\``);
  });
});
