import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { loadDevIssuer, recordedIssuer } from './dev-issuer.ts';
import { LOCAL_CONSOLE_CLIENT_ID } from './oidc-provider.ts';

const knownRoles = Object.keys(defaultPolicy.roles);
const usage = `Usage: npm run --silent token -- --sub <user> --roles <role1,role2> [--ttl <seconds>] [--person]\nRoles: ${knownRoles.join(', ')} (see infra/policy/policy.yaml).\n--person: a person's own session, as the console's sign-in gives (it may approve writes an agent may not).`;

try {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      roles: { type: 'string', default: '' },
      ttl: { type: 'string', default: '3600' },
      person: { type: 'boolean', default: false },
    },
  });
  if (!values.sub) throw new Error('--sub is required');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0)
    throw new Error('--ttl must be a positive number of seconds');
  const dataDir = resolve(process.env.TOOLGATE_DATA_DIR ?? '.toolgate');
  // The issuer of the local mode started last with this data directory: its port is in it.
  const issuer = await loadDevIssuer(
    join(dataDir, 'dev-issuer.json'),
    await recordedIssuer(join(dataDir, 'issuer.json'), process.env),
  );
  const roles = values.roles
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  // A misspelt role would give a token that silently grants nothing.
  const unknown = roles.filter((role) => !knownRoles.includes(role));
  if (unknown.length > 0)
    throw new Error(
      `Unknown role ${unknown.map((role) => `"${role}"`).join(', ')} in --roles; the roles are ${knownRoles.join(', ')}.`,
    );
  process.stdout.write(
    `${await issuer.issue({
      sub: values.sub,
      roles,
      expiresInSeconds: ttl,
      // The console's client: what local mode's sign-in page gives a person (CONSOLE_CLIENT_ID).
      ...(values.person ? { clientId: LOCAL_CONSOLE_CLIENT_ID } : {}),
    })}\n`,
  );
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
