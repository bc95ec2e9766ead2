import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serveEmbeddedDatabase } from '#layers/sql/pglite-driver.ts';
import { prepareLegacyDatabase } from './logistics-db.ts';
import type { RunningSandbox } from './server.ts';
import { defineSystemSandbox, demoSecret } from './system-sandbox.ts';

/**
 * Serves the legacy logistics database, embedded (PGlite), from `dataDir` (a new temporary one
 * when absent): created and seeded on its first query, kept across starts. It has no port and no
 * fault switches; its URL (`pglite:///…`) is what the logistics system's base URL is set to.
 */
export async function startLogisticsSandbox(options: {
  credentials: { username: string; password: string };
  dataDir?: string | undefined;
}): Promise<RunningSandbox> {
  const dataDir = resolve(
    options.dataDir ?? (await mkdtemp(join(tmpdir(), 'toolgate-logistics-'))),
  );
  const served = serveEmbeddedDatabase(dataDir, {
    accepts: options.credentials,
    prepare: prepareLegacyDatabase,
  });
  return {
    url: `pglite://${pathToFileURL(dataDir).pathname}`,
    close: () => served.close(),
    faults: () => ({}),
    setFaults: () => {
      throw new Error('The logistics sandbox is an embedded database: it has no fault switches');
    },
    setWebhooks: (target) => {
      if (target) throw new Error('The logistics sandbox sends no webhooks');
    },
  };
}

export const logisticsSandbox = defineSystemSandbox({
  system: 'logistics',
  label: 'Logistics DB (legacy PostgreSQL)',
  auth: 'basic',
  embedded: true,
  demoCredentials: () => ({ username: 'toolgate_reader', password: demoSecret(18) }),
  start: ({ credentials, dataDir }) =>
    startLogisticsSandbox({
      credentials,
      dataDir: dataDir === undefined ? undefined : join(dataDir, 'logistics-db'),
    }),
});
