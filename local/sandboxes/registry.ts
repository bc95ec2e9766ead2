import { crmSandbox } from './crm.ts';
import { erpSandbox } from './erp.ts';
import { facilitiesSandbox } from './facilities.ts';
import { logisticsSandbox } from './logistics.ts';
import { mailSandbox } from './mail.ts';
import { ticketingSandbox } from './ticketing.ts';

/**
 * The sandbox of each system in layers/systems/registry.ts. A system declared there without one
 * here still starts in local mode, reported as having no sandbox; give it one by adding it here.
 */
export const systemSandboxes = [
  crmSandbox,
  erpSandbox,
  ticketingSandbox,
  mailSandbox,
  facilitiesSandbox,
  logisticsSandbox,
] as const;

/** The systems a bundled sandbox plays. */
export type SandboxedSystemId = (typeof systemSandboxes)[number]['system'];
