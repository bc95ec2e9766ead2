import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';

const support = { sub: 'sam', roles: ['support'] };

// Its own file, so local mode starts afresh: the logistics driver connects on its first call.
describe('a database that refuses the credentials, in local mode', () => {
  let local: LocalHarness;

  beforeAll(async () => {
    local = await startLocalHarness();
  });
  afterAll(() => local.stop());

  it('answers 502 upstream_auth_failed, and answers again once the secret is fixed', async () => {
    // Arrange
    const original = await readFile(local.secretsFile, 'utf8');
    const secrets = JSON.parse(original);
    secrets.systems.logistics.password = 'not-the-password';
    await writeFile(local.secretsFile, JSON.stringify(secrets));
    const call = () =>
      local.call('POST', '/tools/get_delivery_exceptions', {
        as: support,
        body: { customerId: 'C-00021' },
      });

    // Act
    const refused = await call();
    await writeFile(local.secretsFile, original);
    const fixed = await call();

    // Assert
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatchObject({ code: 'upstream_auth_failed', retryable: false });
    expect(JSON.stringify(refused.body)).not.toContain('not-the-password');
    expect(fixed.status).toBe(200);
    expect(fixed.body.data.rows.length).toBeGreaterThan(0);
  });
});
