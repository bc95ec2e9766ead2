import { join } from 'node:path';
import { parseEnv, requireSettings } from '#layers/config/env.ts';
import { type ConsoleSite, loadConsoleSite, serveConsole } from './serve-console.ts';

const env = requireSettings(parseEnv(process.env), 'The console function', ['JWT_AUDIENCE']);
const issuer = env.CONSOLE_ISSUER ?? env.JWT_ISSUER;
if (!issuer)
  throw new Error('Invalid environment: The console function needs CONSOLE_ISSUER or JWT_ISSUER');

// On AWS the built files travel in the function's bundle, beside it (infra/constructs); local
// mode builds them at start and names their directory.
const dir = env.CONSOLE_ASSETS_DIR ?? join(import.meta.dirname, 'console');
let site: Promise<ConsoleSite> | undefined;

/** GET /console, GET /console/{proxy+}: the web console. */
export const handler = serveConsole(
  () => {
    // A failed read is tried again on the next request rather than kept.
    site ??= loadConsoleSite(dir).catch((error: unknown) => {
      site = undefined;
      throw error;
    });
    return site;
  },
  {
    issuer,
    clientId: env.CONSOLE_CLIENT_ID,
    audience: env.JWT_AUDIENCE,
    scope: env.CONSOLE_SCOPE,
    connectOrigins: env.CONSOLE_CONNECT_ORIGINS,
  },
);
