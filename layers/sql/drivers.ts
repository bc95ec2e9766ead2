import { secretShapes } from '../connectors/system-definition.ts';
import { ConfigurationError } from '../errors/index.ts';
import type { SecretProvider } from '../secrets/secret-provider.ts';
import type { SqlCredentials, SqlDriver } from './driver.ts';

/**
 * The driver a database system's URL names: `postgres://` or `postgresql://` a server through
 * `pg`, `pglite:///<data directory>` the embedded PGlite. The driver is loaded only when a
 * function first calls a database, so no other tool pays for it.
 *
 * @example
 * const driver = await openSqlDriver({ url: 'pglite:///work/.toolgate/logistics', secretId: 'logistics', secrets });
 */
export async function openSqlDriver(options: {
  url: string;
  secretId: string;
  secrets: SecretProvider;
}): Promise<SqlDriver> {
  const credentials = async (refresh: boolean): Promise<SqlCredentials> => {
    const secret = await options.secrets.getJson(
      options.secretId,
      refresh ? { forceFetch: true } : {},
    );
    const parsed = secretShapes.basic.safeParse(secret);
    if (!parsed.success)
      throw new ConfigurationError(
        'system_not_configured',
        "The database's credentials are not usable. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.",
        { operatorDetail: `the secret ${options.secretId} must hold {"username","password"}` },
      );
    return parsed.data;
  };
  const url = new URL(options.url);
  if (url.protocol === 'pglite:') {
    const { createPgliteDriver } = await import('./pglite-driver.ts');
    return createPgliteDriver({ dataDir: decodeURIComponent(url.pathname), credentials });
  }
  if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
    const { createPostgresDriver } = await import('./postgres-driver.ts');
    return createPostgresDriver({ url: options.url, credentials });
  }
  throw new ConfigurationError(
    'system_not_configured',
    "The database system's address is not usable. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.",
    { operatorDetail: `a database URL must start with postgres://, postgresql:// or pglite:///` },
  );
}
