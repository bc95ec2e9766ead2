import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDevIssuer } from './dev-issuer.ts';

const usage =
  'Usage: npm run --silent token -- --sub <user> --roles <role1,role2> [--ttl <seconds>]\nRoles: viewer, support, sales, admin (see layers/auth/policy.ts).';

try {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      roles: { type: 'string', default: '' },
      ttl: { type: 'string', default: '3600' },
    },
  });
  if (!values.sub) throw new Error('--sub is required');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0)
    throw new Error('--ttl must be a positive number of seconds');
  const dataDir = resolve(process.env.TOOLGATE_DATA_DIR ?? '.toolgate');
  const issuer = await loadDevIssuer(join(dataDir, 'dev-issuer.json'));
  const roles = values.roles
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  process.stdout.write(
    `${await issuer.issue({ sub: values.sub, roles, expiresInSeconds: ttl })}\n`,
  );
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
