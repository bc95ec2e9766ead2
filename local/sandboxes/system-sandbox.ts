import { randomBytes } from 'node:crypto';
import type * as z from 'zod';
import type { secretShapes } from '#layers/connectors/system-definition.ts';
import type { RunningSandbox } from './server.ts';

/** An auth mode of layers/connectors/system-definition.ts, whose secret shape a sandbox accepts. */
export type SandboxAuth = keyof typeof secretShapes;
/** The credentials of an auth mode, as the local secrets file holds them under `systems.<id>`. */
export type CredentialsOf<Auth extends SandboxAuth> = z.output<(typeof secretShapes)[Auth]>;

/**
 * A sandbox business system and the system of the registry (layers/systems/registry.ts) it plays.
 * Local mode starts one per declared system that has one, gives it the credentials of the local
 * secrets file (demo values on first start), points the system's base URL at it, and, when it
 * sends webhooks, points them at the gateway.
 */
export interface SystemSandbox<Id extends string = string, Auth extends SandboxAuth = SandboxAuth> {
  /** The id of the system it plays, as declared in the registry. */
  readonly system: Id;
  /** What `npm start` prints before its URL, e.g. `CRM sandbox (HubSpot CRM v3 shape)`. */
  readonly label: string;
  /** The auth mode it checks; must be the one the registry declares for its system. */
  readonly auth: Auth;
  /** New demo credentials, random per checkout, so a wrong key really fails. */
  demoCredentials(): CredentialsOf<Auth>;
  /** Runs inside the process (an embedded database) and takes no port. */
  readonly embedded?: true;
  /**
   * The OAuth client id the gateway is registered as at the sandbox, for a system users connect
   * to (its `userAuth`): local mode sets `SYSTEM_<ID>_OAUTH_CLIENT_ID` to it.
   */
  readonly oauthClientId?: string;
  /** The webhook source (layers/webhooks/sources.ts) its data changes are signed as, if it sends any. */
  readonly webhookSource?: string;
  /** `dataDir`: local mode's data directory, for a sandbox that keeps files (a database). */
  start(options: {
    port: number;
    credentials: CredentialsOf<Auth>;
    dataDir?: string | undefined;
  }): Promise<RunningSandbox>;
}

/**
 * Declares which system a sandbox plays; the define function only types and returns it.
 *
 * @example
 * export const crmSandbox = defineSystemSandbox({
 *   system: 'crm', label: 'CRM sandbox (HubSpot CRM v3 shape)', auth: 'bearer',
 *   demoCredentials: () => ({ token: `pat-local-${demoSecret(18)}` }),
 *   start: startCrmSandbox,
 * });
 */
export const defineSystemSandbox = <const Id extends string, Auth extends SandboxAuth>(
  sandbox: SystemSandbox<Id, Auth>,
): SystemSandbox<Id, Auth> => sandbox;

/** A random demo secret of `bytes` bytes, base64url. */
export const demoSecret = (bytes: number): string => randomBytes(bytes).toString('base64url');
