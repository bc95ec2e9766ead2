import { defaultPolicy } from '#layers/auth/policy.ts';
import { DEV_AUDIENCE } from './dev-issuer.ts';
import { startLocalMode } from './start-local.ts';

const port = Number(process.env.PORT ?? 3000);
const started = performance.now();
const local = await startLocalMode({ port });

console.log(`Toolgate listening on ${local.url}`);
console.log(`  CRM sandbox (HubSpot CRM v3 shape):   ${local.sandboxes.crm}`);
console.log(`  ERP sandbox (orders, inventory):      ${local.sandboxes.erp}`);
console.log(`  Ticketing sandbox (Zendesk shape):    ${local.sandboxes.ticketing}`);
console.log(`  Mail sandbox (Graph sendMail shape):  ${local.sandboxes.mail}`);
console.log(
  `  DynamoDB (dynalite): ${local.emulators.dynamodb}   SQS (fauxqs): ${local.emulators.sqs}`,
);
console.log(`  Local secrets file:  ${local.secretsFile}`);
console.log(
  `Ready in ${Math.round(performance.now() - started)} ms. Get a token for a demo user (roles: ${Object.keys(defaultPolicy.roles).join(', ')}):`,
);
console.log(`  TOKEN=$(npm run --silent token -- --sub ana --roles support)`);
console.log(`  curl -s ${local.url}/tools -H "Authorization: Bearer $TOKEN"`);
console.log(`(issuer ${local.issuer.issuer}, audience ${DEV_AUDIENCE}). Ctrl-C stops everything.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await local.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
