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
  /** IAM database authentication as this user (`SYSTEM_<ID>_DB_IAM_USER`); the `pg` driver only. */
  iamUser?: string | undefined;
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
    const iam = options.iamUser ? await iamLogin(url, options.iamUser) : undefined;
    return createPostgresDriver({ url: options.url, credentials, ...(iam ? { iam } : {}) });
  }
  throw new ConfigurationError(
    'system_not_configured',
    "The database system's address is not usable. An operator must fix the gateway's deployment (the details are in its logs); retrying will not help.",
    { operatorDetail: `a database URL must start with postgres://, postgresql:// or pglite:///` },
  );
}

/** IAM database authentication tokens for `user` at the URL's host and port, signed with the function's role (its region from the runtime). */
async function iamLogin(
  url: URL,
  user: string,
): Promise<{ user: string; token(): Promise<string> }> {
  const { Signer } = await import('@aws-sdk/rds-signer');
  const signer = new Signer({
    hostname: url.hostname,
    port: Number(url.port || 5432),
    username: user,
  });
  return { user, token: () => signer.getAuthToken() };
}
