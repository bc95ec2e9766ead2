import { systemSettingNames } from '#layers/config/system-settings.ts';
import type { LocalMode } from './start-local.ts';

/**
 * What `npm start` prints for each system, in the registry's order: its sandbox's URL, or, for a
 * system no sandbox plays, what it takes to reach the real one.
 *
 * @example
 * systemLines(local.systems); // ['  CRM sandbox (HubSpot CRM v3 shape):   http://127.0.0.1:3001', …]
 */
export function systemLines(systems: LocalMode['systems']): string[] {
  return systems.map(({ system, sandbox }) =>
    sandbox
      ? `  ${`${sandbox.label}:`.padEnd(37)} ${sandbox.url}`
      : `  ${system.displayName}: no sandbox (local/sandboxes/registry.ts); its tools fail until ${systemSettingNames.baseUrl(system.id)} names its API and the local secrets file holds systems.${system.id}`,
  );
}
