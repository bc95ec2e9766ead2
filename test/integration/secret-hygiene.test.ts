import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '#layers/config/env.ts';
import { notifierFrom } from '#layers/notifications/from-env.ts';
import { auditRecords } from '#test/helpers/audit.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { approvalWaiting, chatMessages } from '#test/helpers/notifications.ts';
import { isDrained } from '#test/helpers/queues.ts';
import { deliver, eventually, stripeDelivery } from '#test/helpers/webhooks.ts';

const admin = { sub: 'root', roles: ['admin'] };

/** Every string value in the local secrets file: none may leave the gateway. */
function secretValues(file: { systems: Record<string, Record<string, unknown>> }): string[] {
  return Object.values(file.systems)
    .flatMap((secret) => Object.values(secret))
    .filter((value): value is string => typeof value === 'string' && value.length >= 8);
}

describe('credentials never leave the gateway', () => {
  let local: LocalHarness;
  const output: string[] = [];
  const realWrite = process.stdout.write.bind(process.stdout);
  const realErrWrite = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    const capture = (chunk: unknown) => {
      output.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    local = await startLocalHarness({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
  });
  afterAll(async () => {
    await local.stop();
    process.stdout.write = realWrite;
    process.stderr.write = realErrWrite;
  });

  it('keeps every credential out of responses, logs and audit records, in success and failure', async () => {
    // Arrange: calls that succeed, fail upstream, and fail on rejected credentials
    const original = await readFile(local.secretsFile, 'utf8');
    const secrets = secretValues(JSON.parse(original));
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const bodies: string[] = [];
    const call = async (tool: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await local.call('POST', `/tools/${tool}`, { as: admin, body, headers });
      bodies.push(JSON.stringify(res.body), JSON.stringify([...res.headers]));
      return res;
    };
    // Act: a rejected credential first (nothing cached yet), then normal calls
    const broken = JSON.parse(original);
    broken.systems.ticketing.password = 'definitely-wrong-password';
    await writeFile(local.secretsFile, JSON.stringify(broken));
    const refused = await call('get_customer_tickets', { customerId: 'C-00003' });
    await writeFile(local.secretsFile, original);
    await call('get_customer', { customerId: 'C-00002' });
    await call('get_customer_orders', { customerId: 'C-00002' });
    await call('get_customer_tickets', { customerId: 'C-00002' });
    await call('get_customer', { customerId: 'C-00003', password: 'typed-by-agent-123' });
    // Assert
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('upstream_auth_failed');
    const Items = await auditRecords(local);
    const audit = JSON.stringify(Items);
    const logs = output.join('');
    expect(logs).toContain('upstream call'); // debug logging was really on
    expect(Items.length).toBeGreaterThanOrEqual(5);
    for (const secret of [...secrets, 'definitely-wrong-password']) {
      expect(logs).not.toContain(secret);
      expect(bodies.join('\n')).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    expect(audit).not.toContain('typed-by-agent-123');
  });

  it('keeps webhook signing secrets and signatures out of responses and logs, accepted or refused', async () => {
    // Arrange
    const file = JSON.parse(await readFile(local.secretsFile, 'utf8'));
    const webhookSecrets = Object.values(file.webhooks as Record<string, { current: string }>).map(
      (secret) => secret.current,
    );
    expect(webhookSecrets.length).toBeGreaterThanOrEqual(8);
    const signed = stripeDelivery(file.webhooks.stripe.current);
    const signature = signed.headers['stripe-signature'];
    const forged = stripeDelivery('whsec_forged_secret_value');
    const before = output.length;
    // Act
    const answers = [
      await deliver(local, 'stripe', signed.body, signed.headers),
      await deliver(local, 'stripe', `${signed.body} `, signed.headers),
      await deliver(local, 'stripe', forged.body, forged.headers),
    ];
    // The worker's logs too: it has handled the accepted event once the events queue is drained
    await eventually('the events queue to drain', async () =>
      (await isDrained(local, local.queues.events)) ? true : undefined,
    );
    // Assert
    expect(answers.map((answer) => answer.status)).toEqual([202, 401, 401]);
    const logs = output.slice(before).join('');
    expect(logs).toContain('webhook received'); // debug logging was really on
    const seen = `${logs}\n${JSON.stringify(answers)}`;
    for (const secret of [...webhookSecrets, 'whsec_forged_secret_value'])
      expect(seen).not.toContain(secret);
    for (const value of [signature, forged.headers['stripe-signature']]) {
      const v1 = /v1=([0-9a-f]+)/.exec(value as string)?.[1] as string;
      expect(seen).not.toContain(v1);
    }
  });

  it('keeps the chat webhook URLs out of the logs, whether a notification is delivered or not', async () => {
    // Arrange: Slack answers 503 to every post; Teams works
    const file = JSON.parse(await readFile(local.secretsFile, 'utf8'));
    const slack = new URL(file.notifications.slack.url);
    const teams = new URL(file.notifications.teams.url);
    const keys = [slack.pathname, teams.pathname, teams.searchParams.get('sig') as string];
    await fetch(`${local.chat}/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, status: 503, operation: 'slack.post' }),
    });
    const before = output.length;
    // Act
    await notifierFrom(parseEnv(local.functionEnv), { logger: console }).notify(approvalWaiting());
    await eventually('the Teams message', async () =>
      (await chatMessages(local.chat)).length > 0 ? true : undefined,
    );
    await local.topics.idle();
    await fetch(`${local.chat}/_sandbox/faults`, { method: 'DELETE' });
    // Assert
    const logs = output.slice(before).join('');
    expect(logs).toContain('chat notified'); // the notify function's logging was really on
    expect(logs).toContain('chat notification not delivered');
    for (const key of keys) expect(logs).not.toContain(key);
  });
});
