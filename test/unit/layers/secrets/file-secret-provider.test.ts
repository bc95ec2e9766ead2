import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileSecretProvider } from '#layers/secrets/file-secret-provider.ts';

describe('FileSecretProvider', () => {
  let dir: string;
  let path: string;
  const write = (token: string) =>
    writeFile(path, JSON.stringify({ systems: { crm: { token } }, webhooks: {} }));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolgate-secrets-'));
    path = join(dir, 'secrets.local.json');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T10:00:00Z'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves an edited file only after maxAgeSeconds, as the README says of local mode', async () => {
    // Arrange
    await write('pat-local-1');
    const provider = new FileSecretProvider({ path, maxAgeSeconds: 300 });
    await provider.getJson('crm');
    await write('pat-local-2');
    // Act
    vi.setSystemTime(new Date('2026-11-23T10:04:59Z'));
    const cached = await provider.getJson('crm');
    vi.setSystemTime(new Date('2026-11-23T10:05:00Z'));
    const reread = await provider.getJson('crm');
    // Assert
    expect(cached).toEqual({ token: 'pat-local-1' });
    expect(reread).toEqual({ token: 'pat-local-2' });
  });

  it('reads the file again at once when forced, as after a system refused the cached value', async () => {
    await write('pat-local-1');
    const provider = new FileSecretProvider({ path, maxAgeSeconds: 300 });
    await provider.getJson('crm');
    await write('pat-local-2');
    expect(await provider.getJson('crm', { forceFetch: true })).toEqual({ token: 'pat-local-2' });
  });

  it('reads webhooks/<source> and notifications/<chat> from their sections, anything else from systems', async () => {
    await writeFile(
      path,
      JSON.stringify({
        systems: { crm: { token: 't' }, 'notifications-crm': { token: 'n' } },
        webhooks: { stripe: { current: 'whsec_1' } },
        notifications: { slack: { url: 'http://127.0.0.1:3005/services/T/B/x' } },
      }),
    );
    const provider = new FileSecretProvider({ path });

    expect(await provider.getJson('webhooks/stripe')).toEqual({ current: 'whsec_1' });
    expect(await provider.getJson('notifications/slack')).toEqual({
      url: 'http://127.0.0.1:3005/services/T/B/x',
    });
    expect(await provider.getJson('notifications-crm')).toEqual({ token: 'n' });
    await expect(provider.getJson('notifications/teams')).rejects.toMatchObject({
      operatorDetail: expect.stringContaining('no entry "notifications.teams"'),
    });
  });
});
