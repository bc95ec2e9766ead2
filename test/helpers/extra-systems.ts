import { defineSystem } from '#layers/connectors/system-definition.ts';

/** Systems beyond the registry's, to show local mode takes a new one without a code change. */

/** A fifth system, with an auth mode none of the bundled four uses. */
export const billing = defineSystem({
  id: 'billing',
  displayName: 'Billing',
  apiShape: 'Billing REST (test)',
  auth: { type: 'api_key', header: 'X-Api-Key' },
  pagination: { style: 'none' },
});

/** A sixth system, which no sandbox plays. */
export const payroll = defineSystem({
  id: 'payroll',
  displayName: 'Payroll',
  apiShape: 'Payroll REST (test)',
  auth: { type: 'bearer' },
  pagination: { style: 'none' },
});
