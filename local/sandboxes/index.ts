import { startCrmSandbox } from './crm.ts';
import { startErpSandbox } from './erp.ts';
import { startMailSandbox } from './mail.ts';
import type { RunningSandbox } from './server.ts';
import { startTicketingSandbox } from './ticketing.ts';

export interface SandboxCredentials {
  crm: { token: string };
  erp: { clientId: string; clientSecret: string };
  ticketing: { username: string; password: string };
  mail: { clientId: string; clientSecret: string };
}

export interface Sandboxes {
  crm: RunningSandbox;
  erp: RunningSandbox;
  ticketing: RunningSandbox;
  mail: RunningSandbox;
  close(): Promise<void>;
}

/**
 * Starts the three sandbox business systems and the mail system, each accepting exactly the given
 * credentials. CRM and ticketing announce their data changes by signed webhook once a target is
 * set with their `setWebhooks`.
 *
 * @example
 * const sandboxes = await startSandboxes(secrets.systems, { crm: 3001, erp: 3002, ticketing: 3003 });
 * sandboxes.crm.setWebhooks({ url: 'http://127.0.0.1:3000/webhooks/hubspot', secret: hubspotSecret });
 * sandboxes.ticketing.setWebhooks({ url: 'http://127.0.0.1:3000/webhooks/zendesk', secret: zendeskSecret });
 */
export async function startSandboxes(
  credentials: SandboxCredentials,
  ports: { crm?: number; erp?: number; ticketing?: number; mail?: number } = {},
): Promise<Sandboxes> {
  const crm = await startCrmSandbox({ port: ports.crm ?? 0, credentials: credentials.crm });
  const erp = await startErpSandbox({ port: ports.erp ?? 0, credentials: credentials.erp });
  const ticketing = await startTicketingSandbox({
    port: ports.ticketing ?? 0,
    credentials: credentials.ticketing,
  });
  const mail = await startMailSandbox({ port: ports.mail ?? 0, credentials: credentials.mail });
  return {
    crm,
    erp,
    ticketing,
    mail,
    async close() {
      await Promise.all([crm.close(), erp.close(), ticketing.close(), mail.close()]);
    },
  };
}
