/**
 * A scripted agent session against local mode over MCP, the way an AI agent would use Toolgate:
 * list tools, read from three systems in parallel, propose a write, confirm it, and follow the
 * operation to its end.
 *
 *   npm start                              # in one terminal
 *   npm run example                        # in another, with the same PORT (or TOOLGATE_URL)
 */

import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadDevIssuer, recordedIssuer } from '#local/dev-issuer.ts';

const url = process.env.TOOLGATE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const dataDir = resolve(process.env.TOOLGATE_DATA_DIR ?? '.toolgate');
const issuer = await loadDevIssuer(
  join(dataDir, 'dev-issuer.json'),
  await recordedIssuer(join(dataDir, 'issuer.json'), process.env),
);
const token =
  process.env.TOOLGATE_TOKEN ?? (await issuer.issue({ sub: 'example-agent', roles: ['support'] }));

const client = new Client({ name: 'toolgate-example-agent', version: '1.0.0' });
await client.connect(
  new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: {
      headers: { authorization: `Bearer ${token}`, 'x-agent-reason': 'scripted example session' },
    },
  }),
);
const say = (step: string, detail: unknown) =>
  console.log(
    `\n== ${step}\n${typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2)}`,
  );
const call = async (name: string, args: Record<string, unknown>) => {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError)
    throw new Error(`${name}: ${(result.content as { text: string }[])[0]?.text}`);
  // biome-ignore lint/suspicious/noExplicitAny: a script reading JSON it just printed the shape of
  return result.structuredContent as Record<string, any>;
};

const { tools } = await client.listTools();
say(
  '1. Tools this agent may use',
  tools.map((tool) => `${tool.name}${tool.annotations?.readOnlyHint ? '' : ' (write)'}`).join('\n'),
);

const found = await call('search_customers', { query: 'northwind' });
const customer = found.customers[0];
say('2. Found the customer', `${customer.name} (${customer.id})`);

const started = performance.now();
const [profile, tickets, order] = await Promise.all([
  call('get_customer', { customerId: customer.id }),
  call('get_customer_tickets', { customerId: customer.id }),
  call('get_order_status', { orderId: 'SO-100001' }),
]);
say(`3. Three reads in parallel (${Math.round(performance.now() - started)} ms)`, {
  contacts: profile.customer.contacts.length,
  openTickets: tickets.tickets.length,
  order: `${order.order.id}: ${order.order.status}`,
});

const proposal = await call('create_ticket', {
  customerId: customer.id,
  subject: 'Follow-up call requested',
  description: 'The customer asked for a call about their recent orders.',
});
say('4. Proposed a write (nothing written yet)', proposal.confirmation.summary);

const confirmed = await call('confirm_operation', { confirmationId: proposal.confirmation.id });
say('5. Confirmed', confirmed.operation);

let operation = confirmed.operation;
while (operation.status === 'queued' || operation.status === 'running') {
  await new Promise((done) => setTimeout(done, 250));
  operation = (await call('get_operation_status', { operationId: operation.id })).operation;
}
say('6. Operation finished', operation);
await client.close();
if (operation.status !== 'succeeded') process.exit(1);
