import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { sign as signGitHub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { AppError } from '#layers/errors/index.ts';
import type { HttpEvent, HttpResult } from '#layers/http-util/api-gateway.ts';
import type { CanonicalEvent } from '#layers/webhooks/events.ts';
import { type ReceiveDeps, receiveWebhook } from '#layers/webhooks/receive.ts';
import { webhookSecretEnvName, webhookSources } from '#layers/webhooks/sources.ts';

// Shaped as Standard Webhooks wants it (whsec_ + base64); every other scheme uses it as text.
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const HOST = 'api.example.com';

interface Signed {
  body: string;
  headers: Record<string, string>;
}

const hmac = (algorithm: string, key: string, content: string) =>
  createHmac(algorithm, key).update(content);
const unixSeconds = () => String(Math.floor(Date.now() / 1000));

/**
 * A fresh delivery of each source, signed the way its sender documents it, by code of its own
 * (the vendor's library where there is one): never by the verifier under test.
 */
const senders: Record<string, () => Promise<Signed>> = {
  hubspot: async () => {
    const body = JSON.stringify([
      {
        eventId: Date.now(),
        subscriptionType: 'contact.propertyChange',
        objectId: 51,
        occurredAt: Date.now(),
      },
    ]);
    const timestamp = String(Date.now());
    const uri = `https://${HOST}/webhooks/hubspot`;
    return {
      body,
      headers: {
        'x-hubspot-request-timestamp': timestamp,
        'x-hubspot-signature-v3': hmac('sha256', SECRET, `POST${uri}${body}${timestamp}`).digest(
          'base64',
        ),
      },
    };
  },
  // A trigger webhook with a body of its own making: no event id in it.
  zendesk: async () => {
    const body = JSON.stringify({
      type: 'zen:event-type:ticket.status_changed',
      time: new Date().toISOString(),
      detail: { id: '35436' },
    });
    const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      body,
      headers: {
        'x-zendesk-webhook-signature-timestamp': timestamp,
        'x-zendesk-webhook-signature': hmac('sha256', SECRET, `${timestamp}${body}`).digest(
          'base64',
        ),
        'x-zendesk-webhook-invocation-id': '8350205582',
      },
    };
  },
  stripe: async () => {
    const body = JSON.stringify({
      id: `evt_${randomUUID()}`,
      object: 'event',
      type: 'customer.updated',
      created: Number(unixSeconds()),
      data: { object: { id: 'cus_1', object: 'customer' } },
    });
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
    return { body, headers: { 'stripe-signature': header } };
  },
  github: async () => {
    const body = JSON.stringify({
      action: 'opened',
      issue: { number: 7, title: randomUUID() },
      repository: { full_name: 'acme/portal' },
    });
    return {
      body,
      headers: {
        'x-hub-signature-256': await signGitHub(SECRET, body),
        'x-github-event': 'issues',
        'x-github-delivery': randomUUID(),
      },
    };
  },
  shopify: async () => {
    const body = JSON.stringify({ id: 632910392, updated_at: new Date().toISOString() });
    return {
      body,
      headers: {
        'x-shopify-hmac-sha256': hmac('sha256', SECRET, body).digest('base64'),
        'x-shopify-topic': 'products/update',
        'x-shopify-event-id': randomUUID(),
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-triggered-at': new Date().toISOString(),
      },
    };
  },
  slack: async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      event_id: `Ev${randomUUID()}`,
      event_time: Number(unixSeconds()),
      event: { type: 'message', channel: 'C1' },
    });
    const timestamp = unixSeconds();
    return {
      body,
      headers: {
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': `v0=${hmac('sha256', SECRET, `v0:${timestamp}:${body}`).digest('hex')}`,
      },
    };
  },
  svix: async () => {
    const body = JSON.stringify({
      type: 'invoice.paid',
      timestamp: new Date().toISOString(),
      data: { id: 'inv_1' },
    });
    const id = `msg_${randomUUID()}`;
    const at = new Date();
    return {
      body,
      headers: {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET).sign(id, at, body),
      },
    };
  },
  erp: async () => {
    const body = JSON.stringify({
      type: 'product.updated',
      entity: { type: 'product', id: 'SKU-10001' },
      occurredAt: new Date().toISOString(),
    });
    const timestamp = unixSeconds();
    const delivery = randomUUID();
    return {
      body,
      headers: {
        'x-toolgate-timestamp': timestamp,
        'x-toolgate-delivery': delivery,
        'x-toolgate-signature': `sha256=${hmac('sha256', SECRET, `${delivery}.${timestamp}.${body}`).digest('hex')}`,
      },
    };
  },
};

/** Headers that name a delivery at some vendor: a replay may add any of them, too. */
const ID_HEADERS = [
  'x-github-delivery',
  'x-shopify-event-id',
  'x-shopify-webhook-id',
  'x-zendesk-webhook-invocation-id',
  'x-toolgate-delivery',
  'webhook-id',
  'svix-id',
  'x-request-id',
];

const httpEvent = (source: string, { body, headers }: Signed): HttpEvent =>
  ({
    rawPath: `/webhooks/${source}`,
    rawQueryString: '',
    pathParameters: { source },
    headers: { host: HOST, ...headers },
    requestContext: { http: { method: 'POST' }, domainName: HOST },
    body,
    isBase64Encoded: false,
  }) as unknown as HttpEvent;

function endpoint() {
  const claimed = new Set<string>();
  const queued: CanonicalEvent[] = [];
  const deps: ReceiveDeps = {
    env: Object.fromEntries(
      webhookSources.map((source) => [webhookSecretEnvName(source.id), `${source.id}-secret`]),
    ),
    secrets: { getJson: async () => ({ current: SECRET }) },
    receipts: {
      claim: async (id) => !claimed.has(id) && Boolean(claimed.add(id)),
      release: async (id) => {
        claimed.delete(id);
      },
    },
    queue: { send: async (events) => void queued.push(...events) },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    maxBodyBytes: 100_000,
  };
  const receive = receiveWebhook(deps);
  const post = (source: string, signed: Signed): Promise<HttpResult | AppError> =>
    receive(httpEvent(source, signed)).catch((error: unknown) => {
      if (error instanceof AppError) return error;
      throw error;
    });
  return { post, queued };
}

/** Every way to replay a captured delivery without the secret: one header changed or added. */
function replays({ body, headers }: Signed): { changed: string; signed: Signed }[] {
  const names = new Set([...Object.keys(headers), ...ID_HEADERS]);
  return [...names].map((name) => ({
    changed: name,
    signed: { body, headers: { ...headers, [name]: `replayed-${randomUUID()}` } },
  }));
}

describe('webhook replays', () => {
  it('has a sender for every webhook source', () => {
    expect(Object.keys(senders).sort()).toEqual(webhookSources.map((source) => source.id).sort());
  });

  it.each(webhookSources.map((source) => source.id))(
    'never queues a captured %s delivery again, whatever unsigned header the replay changes',
    async (source) => {
      // Arrange: the genuine delivery is accepted
      const { post, queued } = endpoint();
      const original = await (senders[source] as () => Promise<Signed>)();
      const first = await post(source, original);
      expect(first).toMatchObject({ statusCode: 202 });
      const accepted = queued.map((event) => event.id);

      // Act: replayed with each header changed, and with each delivery-id header added
      const answers: { changed: string; status: number }[] = [];
      for (const { changed, signed } of replays(original)) {
        answers.push({ changed, status: (await post(source, signed)).statusCode });
      }

      // Assert: refused as unsigned, or answered as a duplicate; nothing queued a second time
      const taken = answers.filter(
        ({ status }) => status !== 200 && (status < 400 || status >= 500),
      );
      expect(taken).toEqual([]);
      expect(queued.map((event) => event.id)).toEqual(accepted);
    },
  );

  it('refuses an ERP delivery replayed with a fresh X-Toolgate-Delivery, since the id is signed', async () => {
    const { post } = endpoint();
    const original = await (senders.erp as () => Promise<Signed>)();
    await post('erp', original);

    const replay = await post('erp', {
      body: original.body,
      headers: { ...original.headers, 'x-toolgate-delivery': randomUUID() },
    });

    expect(replay).toBeInstanceOf(AppError);
    expect(replay).toMatchObject({ statusCode: 401, code: 'invalid_signature' });
  });

  it('answers duplicate for a Zendesk body without id replayed with a fresh invocation id', async () => {
    const { post, queued } = endpoint();
    const original = await (senders.zendesk as () => Promise<Signed>)();
    await post('zendesk', original);

    const replay = await post('zendesk', {
      body: original.body,
      headers: { ...original.headers, 'x-zendesk-webhook-invocation-id': '9999999999' },
    });

    expect(replay).toMatchObject({ statusCode: 200 });
    expect(JSON.parse((replay as HttpResult).body as string).status).toBe('duplicate');
    expect(queued).toHaveLength(1);
  });
});
