import { createHmac, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { sign as signGitHub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installClock, type TestClock } from '#test/helpers/clock.ts';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import {
  deliver,
  eventLog,
  eventually,
  stripeDelivery,
  unix,
  webhookSecret,
} from '#test/helpers/webhooks.ts';

describe('webhooks in local mode', () => {
  let local: LocalHarness;
  let clock: TestClock;
  let stripeSecret: string;

  beforeAll(async () => {
    clock = installClock();
    local = await startLocalHarness({ SECRETS_MAX_AGE_SECONDS: '1' });
    stripeSecret = await webhookSecret(local, 'stripe');
  });
  afterAll(async () => {
    await local.stop();
    clock.restore();
  });

  it('accepts a Stripe delivery signed by Stripe, processes it once, and de-duplicates its redelivery', async () => {
    // Arrange
    const delivery = stripeDelivery(stripeSecret);
    // Act
    const first = await deliver(local, 'stripe', delivery.body, delivery.headers);
    const again = await deliver(local, 'stripe', delivery.body, delivery.headers);
    // Assert
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      status: 'accepted',
      events: [`stripe:${delivery.id}`],
      duplicates: 0,
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('duplicate');
    const logged = await eventually('the event to be processed', async () => {
      const entry = (await eventLog(local)).get(`stripe:${delivery.id}`);
      return entry?.processedCount ? entry : undefined;
    });
    expect(logged).toEqual({ processedCount: 1, source: 'stripe' });
  });

  it('refuses a tampered body, a wrong secret, a stale and a future timestamp, and queues none of them', async () => {
    const valid = stripeDelivery(stripeSecret);
    const tampered = await deliver(
      local,
      'stripe',
      valid.body.replace('cus_123', 'cus_999'),
      valid.headers,
    );
    const wrongSecret = stripeDelivery('whsec_not_the_secret');
    const wrong = await deliver(local, 'stripe', wrongSecret.body, wrongSecret.headers);
    const staleDelivery = stripeDelivery(stripeSecret, `evt_${randomUUID()}`, unix() - 600);
    const stale = await deliver(local, 'stripe', staleDelivery.body, staleDelivery.headers);
    const futureDelivery = stripeDelivery(stripeSecret, `evt_${randomUUID()}`, unix() + 600);
    const future = await deliver(local, 'stripe', futureDelivery.body, futureDelivery.headers);
    for (const refused of [tampered, wrong, stale, future]) {
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('invalid_signature');
      expect(JSON.stringify(refused.body)).not.toContain(stripeSecret);
    }
    expect(stale.body.error.message).toMatch(/old, beyond the 300 s tolerance/);
    expect(future.body.error.message).toMatch(/in the future/);
    // A valid delivery sent after them: once it is processed, a refused one queued by mistake would be too.
    const after = stripeDelivery(stripeSecret);
    expect((await deliver(local, 'stripe', after.body, after.headers)).status).toBe(202);
    const log = await eventually(
      'the delivery sent after the refused ones to be processed',
      async () => {
        const entries = await eventLog(local);
        return entries.get(`stripe:${after.id}`)?.processedCount ? entries : undefined;
      },
    );
    for (const id of [valid.id, wrongSecret.id, staleDelivery.id, futureDelivery.id])
      expect(log.has(`stripe:${id}`)).toBe(false);
  });

  it('answers 401 naming a missing signature header, 404 for an unknown source and 413 over the size limit', async () => {
    const valid = stripeDelivery(stripeSecret);
    const unsigned = await deliver(local, 'stripe', valid.body, {});
    const unknown = await deliver(local, 'paypal', valid.body, valid.headers);
    const huge = await deliver(
      local,
      'stripe',
      JSON.stringify({ pad: 'x'.repeat(300_000) }),
      valid.headers,
    );
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.message).toContain('Stripe-Signature');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('stripe');
    expect(huge.status).toBe(413);
  });

  it('accepts GitHub (octokit) and Standard Webhooks (standardwebhooks) deliveries, and answers the handshakes', async () => {
    // GitHub, signed by @octokit/webhooks-methods
    const githubSecret = await webhookSecret(local, 'github');
    const issue = JSON.stringify({
      action: 'opened',
      issue: { number: 7 },
      repository: { full_name: 'acme/portal' },
    });
    const github = await deliver(local, 'github', issue, {
      'x-hub-signature-256': await signGitHub(githubSecret, issue),
      'x-github-event': 'issues',
      'x-github-delivery': randomUUID(),
    });
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const pong = await deliver(local, 'github', ping, {
      'x-hub-signature-256': await signGitHub(githubSecret, ping),
      'x-github-event': 'ping',
      'x-github-delivery': randomUUID(),
    });
    // Standard Webhooks, signed by the standardwebhooks library
    const svixSecret = await webhookSecret(local, 'svix');
    const message = JSON.stringify({
      type: 'invoice.paid',
      timestamp: new Date().toISOString(),
      data: { id: 'inv_1' },
    });
    const messageId = `msg_${randomUUID()}`;
    const signature = new Webhook(svixSecret).sign(messageId, new Date(), message);
    const svix = await deliver(local, 'svix', message, {
      'webhook-id': messageId,
      'webhook-timestamp': String(unix()),
      'webhook-signature': signature,
    });
    // Slack url_verification, signed with the Slack recipe
    const slackSecret = await webhookSecret(local, 'slack');
    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 't' });
    const timestamp = String(unix());
    const slack = await deliver(local, 'slack', challenge, {
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': `v0=${createHmac('sha256', slackSecret).update(`v0:${timestamp}:${challenge}`).digest('hex')}`,
    });
    expect(github.status).toBe(202);
    expect(github.body.events[0]).toMatch(/^github:/);
    expect(pong.status).toBe(200);
    expect(svix.status).toBe(202);
    expect(svix.body.events).toEqual([`svix:${messageId}`]);
    expect(slack.status).toBe(200);
    expect(slack.body).toEqual({ challenge: 'c-123' });
  });

  it('verifies with the previous secret during a rotation, and not after it', async () => {
    // Arrange: rotate the Stripe secret, keeping the old one as previous
    const original = await readFile(local.secretsFile, 'utf8');
    const file = JSON.parse(original);
    const oldSecret = file.webhooks.stripe.current as string;
    file.webhooks.stripe = { current: 'whsec_rotated_secret_value', previous: oldSecret };
    await writeFile(local.secretsFile, JSON.stringify(file));
    clock.advance(1_100); // the secrets cache is 1 s here
    try {
      // Act
      const byOld = stripeDelivery(oldSecret);
      const byNew = stripeDelivery('whsec_rotated_secret_value');
      const oldAccepted = await deliver(local, 'stripe', byOld.body, byOld.headers);
      const newAccepted = await deliver(local, 'stripe', byNew.body, byNew.headers);
      file.webhooks.stripe = { current: 'whsec_rotated_secret_value' };
      await writeFile(local.secretsFile, JSON.stringify(file));
      clock.advance(1_100);
      const afterWindow = stripeDelivery(oldSecret);
      const oldRefused = await deliver(local, 'stripe', afterWindow.body, afterWindow.headers);
      // Assert
      expect(oldAccepted.status).toBe(202);
      expect(newAccepted.status).toBe(202);
      expect(oldRefused.status).toBe(401);
    } finally {
      await writeFile(local.secretsFile, original);
    }
  });

  it('invalidates the cached product catalogue when the ERP says a product changed, and refuses its replay under a fresh delivery id', async () => {
    // Arrange: the catalogue is cached
    const sam = { sub: 'sam', roles: ['sales'] };
    await local.call('POST', '/tools/get_product_catalog', { as: sam, body: {} });
    const cached = await local.call('POST', '/tools/get_product_catalog', { as: sam, body: {} });
    expect(cached.body.meta.cache).toBe('hit');
    // Act: a signed ERP delivery (generic HMAC scheme)
    const secret = await webhookSecret(local, 'erp');
    const body = JSON.stringify({
      type: 'product.updated',
      entity: { type: 'product', id: 'SKU-10001' },
      occurredAt: new Date().toISOString(),
    });
    const timestamp = String(unix());
    const delivery = randomUUID();
    const headers = {
      'x-toolgate-timestamp': timestamp,
      'x-toolgate-delivery': delivery,
      'x-toolgate-signature': `sha256=${createHmac('sha256', secret).update(`${delivery}.${timestamp}.${body}`).digest('hex')}`,
    };
    const accepted = await deliver(local, 'erp', body, headers);
    const replayed = await deliver(local, 'erp', body, {
      ...headers,
      'x-toolgate-delivery': randomUUID(),
    });
    expect(accepted.status).toBe(202);
    expect(replayed.status).toBe(401);
    await eventually('the ERP event to be processed', async () =>
      (await eventLog(local)).get(`erp:${delivery}`)?.processedCount ? true : undefined,
    );
    clock.advance(5_100); // past the oldest cache generation an instance answers from
    // Assert
    const after = await local.call('POST', '/tools/get_product_catalog', { as: sam, body: {} });
    expect(after.body.meta.cache).toBe('miss');
  });
});
