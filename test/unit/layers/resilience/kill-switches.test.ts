import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createDocumentClient } from '#layers/aws/clients.ts';
import { AppError } from '#layers/errors/index.ts';
import { Background } from '#layers/resilience/background.ts';
import { KillSwitches } from '#layers/resilience/kill-switches.ts';
import { ResponseCache } from '#layers/resilience/response-cache.ts';
import { systems } from '#layers/systems/registry.ts';
import { tools } from '#layers/tools/registry.ts';
import { localTableNames } from '#local/emulators.ts';
import { startTables } from '#test/helpers/dynalite.ts';

const tableName = localTableNames.resilience;

describe('KillSwitches (against dynalite)', () => {
  let db: Awaited<ReturnType<typeof startTables>>;
  let client: ReturnType<typeof createDocumentClient>;

  beforeAll(async () => {
    db = await startTables();
    client = db.client;
    // Arrange: the table as it looks after a while in production: far more than one 1 MB page
    // of cached answers besides the switches.
    const cache = new ResponseCache({ client, tableName });
    const answer = { products: 'x'.repeat(10_000) };
    for (let index = 0; index < 250; index++)
      await cache.set('get_product_catalog', `page-${index}`, answer, 300);
  });
  afterAll(() => db.close());

  /** The shared client, noting the name of each command sent. */
  const countingClient = (sent: string[]) =>
    ({
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return client.send(command as never);
      },
    }) as unknown as typeof client;

  /** Switches as one function instance has them: its own cache, the shared table. */
  const instance = (sent: string[] = []) =>
    new KillSwitches({
      client: countingClient(sent),
      tableName,
      maxStaleMs: 0,
    });

  const change = (kind: 'tool' | 'system', name: string, enabled: boolean) => ({
    kind,
    name,
    enabled,
    reason: enabled ? '' : `${name} maintenance`,
    changedBy: 'ops',
    changedAt: '2026-12-01T10:00:00.000Z',
  });

  it('sees every switch when the table holds more than 1 MB of other items', async () => {
    const admin = instance();
    for (const tool of tools) await admin.set(change('tool', tool.name, false));
    for (const system of systems) await admin.set(change('system', system.id, false));

    const switches = instance();
    const listed = await switches.list();

    expect(listed.map((item) => `${item.kind}#${item.name}`).sort()).toEqual(
      [
        ...tools.map((tool) => `tool#${tool.name}`),
        ...systems.map((system) => `system#${system.id}`),
      ].sort(),
    );
    for (const tool of tools) {
      const refused = await switches
        .assertEnabled({ name: tool.name, systems: [] })
        .catch((error: unknown) => error);
      expect(refused, tool.name).toBeInstanceOf(AppError);
      expect((refused as AppError).statusCode).toBe(503);
      expect((refused as AppError).message).toContain(`(${tool.name} maintenance)`);
    }
  });

  it('reads the switches with one request, whatever the table holds', async () => {
    const sent: string[] = [];
    const switches = instance(sent);

    await switches.list();
    await switches.assertEnabled({ name: 'get_customer', systems: ['crm'] }).catch(() => undefined);

    expect(sent).toEqual(['GetCommand', 'GetCommand']);
  });

  it('switches back on, keeping who did it and when', async () => {
    const admin = instance();
    await admin.set(change('tool', 'get_customer', true));
    await admin.set(change('system', 'crm', true));

    const switches = instance();

    await expect(
      switches.assertEnabled({ name: 'get_customer', systems: ['crm'] }),
    ).resolves.toBeUndefined();
    expect((await switches.list()).find((item) => item.name === 'get_customer')).toEqual(
      change('tool', 'get_customer', true),
    );
  });

  it('answers from its own copy, re-reads it in the background once a third of maxStaleMs old, and waits for a read past maxStaleMs', async () => {
    // Arrange: an instance that read check_inventory off, then an administrator switches it on
    let now = 0;
    const sent: string[] = [];
    const work = new Background();
    await instance().set(change('tool', 'check_inventory', false));
    const switches = new KillSwitches({
      client: countingClient(sent),
      tableName,
      maxStaleMs: 15_000,
      now: () => now,
      background: work,
    });
    const tool = { name: 'check_inventory', systems: [] };
    await expect(switches.assertEnabled(tool)).rejects.toBeInstanceOf(AppError);
    await instance().set(change('tool', 'check_inventory', true));
    sent.length = 0;

    // Act and assert: fresh, its own copy and no read
    now = 4_999;
    await expect(switches.assertEnabled(tool)).rejects.toBeInstanceOf(AppError);
    expect(sent).toEqual([]);
    // Stale: still its copy, with one re-read in the background that the next call sees
    now = 5_000;
    await expect(switches.assertEnabled(tool)).rejects.toBeInstanceOf(AppError);
    await expect(switches.assertEnabled(tool)).rejects.toBeInstanceOf(AppError);
    await work.settled();
    expect(sent).toEqual(['GetCommand']);
    await expect(switches.assertEnabled(tool)).resolves.toBeUndefined();
    // Past maxStaleMs since the last read: the call waits for a read and sees the change at once
    await instance().set(change('tool', 'check_inventory', false));
    now = 5_000 + 15_000;
    await expect(switches.assertEnabled(tool)).rejects.toBeInstanceOf(AppError);
    expect(work.size).toBe(0);
  });
});
