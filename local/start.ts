import { displayPath } from '#layers/policy/policy-file.ts';
import { loadPolicyFile } from '#layers/policy/policy-yaml.ts';
import { systemLines } from './banner.ts';
import { DEV_AUDIENCE } from './dev-issuer.ts';
import { startLocalMode } from './start-local.ts';

const port = Number(process.env.PORT ?? 3000);
const started = performance.now();
const local = await startLocalMode({ port }).catch((error: Error) => {
  // A file that does not validate (the policy, a declaration) says where: its message is enough.
  console.error(error.message);
  process.exit(1);
});
const policy = loadPolicyFile(local.policyFile, displayPath(local.policyFile)).policy;

console.log(`Toolgate listening on ${local.url}`);
for (const line of systemLines(local.systems)) console.log(line);
console.log(
  `  ${'Chat sandbox (Slack, Teams):'.padEnd(37)} ${local.chat}   (notifications: GET /_sandbox/messages)`,
);
console.log(
  `  DynamoDB (dynalite): ${local.emulators.dynamodb}   SQS (fauxqs): ${local.emulators.sqs}`,
);
console.log(`  Local secrets file:  ${local.secretsFile}`);
console.log(
  `  Policy:              ${displayPath(local.policyFile)} (version ${policy.version}; an edit takes effect without a restart${local.appConfig ? ', read through the local AppConfig' : ''})`,
);
console.log(
  `Ready in ${Math.round(performance.now() - started)} ms. Get a token for a demo user (roles: ${Object.keys(policy.roles).join(', ')}):`,
);
console.log(`  TOKEN=$(npm run --silent token -- --sub ana --roles support)`);
console.log(`  curl -s ${local.url}/tools -H "Authorization: Bearer $TOKEN"`);
console.log(
  `Approve writes in the console: ${local.url}/console/ (sign in as the user who asked, or with the approver role for four-eyes writes).`,
);
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
