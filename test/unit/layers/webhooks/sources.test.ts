import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#layers/errors/index.ts';
import { getWebhookSource, type ParsedDelivery } from '#layers/webhooks/sources.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const receivedAt = new Date('2026-11-23T10:00:00.000Z');
const delivery = (
  body: unknown,
  headers: Record<string, string> = {},
  signedId?: string,
): ParsedDelivery => ({
  body,
  headers,
  verified: { signedId, bodyDigest: sha256(JSON.stringify(body)) },
  receivedAt,
});
const source = (id: string) => {
  const found = getWebhookSource(id);
  if (!found) throw new Error(`no source ${id}`);
  return found;
};

describe('webhook sources', () => {
  it('turns a HubSpot batch into one CRM event per HubSpot eventId', () => {
    const events = source('hubspot').toEvents(
      delivery([
        {
          eventId: 101,
          subscriptionType: 'contact.propertyChange',
          objectId: 51,
          occurredAt: 1795000000000,
        },
        {
          eventId: 102,
          subscriptionType: 'company.creation',
          objectId: 18,
          occurredAt: 1795000001000,
        },
      ]),
    );
    expect(events.map(({ payload: _, ...event }) => event)).toEqual([
      {
        id: 'hubspot:101',
        source: 'hubspot',
        type: 'contact.propertyChange',
        entity: { system: 'crm', type: 'contact', id: '51' },
        occurredAt: '2026-11-18T11:06:40.000Z',
      },
      {
        id: 'hubspot:102',
        source: 'hubspot',
        type: 'company.creation',
        entity: { system: 'crm', type: 'company', id: '18' },
        occurredAt: '2026-11-18T11:06:41.000Z',
      },
    ]);
  });

  it('maps a Zendesk ticket event to the ticketing system, keyed by its event id', () => {
    const [event] = source('zendesk').toEvents(
      delivery({
        id: 'b5c6',
        type: 'zen:event-type:ticket.status_changed',
        time: '2026-11-23T09:59:00Z',
        detail: { id: '35436' },
      }),
    );
    expect(event).toMatchObject({
      id: 'zendesk:b5c6',
      type: 'ticket.status_changed',
      entity: { system: 'ticketing', type: 'ticket', id: '35436' },
      occurredAt: '2026-11-23T09:59:00.000Z',
    });
  });

  it('maps Stripe, Shopify and Slack events to their own entities', () => {
    const [stripe] = source('stripe').toEvents(
      delivery({
        id: 'evt_1',
        type: 'invoice.paid',
        created: 1795000000,
        data: { object: { id: 'in_1', object: 'invoice' } },
      }),
    );
    const [shopify] = source('shopify').toEvents(
      delivery(
        { id: 632910392 },
        { 'x-shopify-topic': 'products/update', 'x-shopify-event-id': 'evt-shop-1' },
      ),
    );
    const [slack] = source('slack').toEvents(
      delivery({
        event_id: 'Ev1',
        event_time: 1795000000,
        event: { type: 'message', channel: 'C1' },
      }),
    );
    expect(stripe?.entity).toEqual({ system: 'stripe', type: 'invoice', id: 'in_1' });
    expect(shopify).toMatchObject({
      id: `shopify:sha256:${sha256('{"id":632910392}')}`,
      entity: { system: 'shopify', type: 'product', id: '632910392' },
      occurredAt: receivedAt.toISOString(),
    });
    expect(slack?.entity).toEqual({ system: 'slack', type: 'channel', id: 'C1' });
  });

  it('keys GitHub, Shopify and id-less Zendesk deliveries on their body, never on an unsigned id header', () => {
    const body = { id: 'ignored-by-github', action: 'opened', repository: { full_name: 'a/b' } };
    const headers = {
      'x-github-event': 'issues',
      'x-github-delivery': 'gh-1',
      'x-shopify-topic': 'products/update',
      'x-shopify-event-id': 'shop-1',
      'x-zendesk-webhook-invocation-id': 'zd-1',
    };
    const zendeskBody = {
      type: 'ticket.created',
      time: '2026-11-23T09:59:00Z',
      detail: { id: '1' },
    };

    const [github] = source('github').toEvents(delivery(body, headers));
    const [shopify] = source('shopify').toEvents(delivery(body, headers));
    const [zendesk] = source('zendesk').toEvents(delivery(zendeskBody, headers));

    expect(github?.id).toBe(`github:sha256:${sha256(JSON.stringify(body))}`);
    expect(shopify?.id).toBe(`shopify:sha256:${sha256(JSON.stringify(body))}`);
    expect(zendesk?.id).toBe(`zendesk:sha256:${sha256(JSON.stringify(zendeskBody))}`);
  });

  it('answers the Slack url_verification and GitHub ping handshakes, and nothing else', () => {
    expect(
      source('slack').handshake?.(delivery({ type: 'url_verification', challenge: 'abc' })),
    ).toEqual({ statusCode: 200, body: { challenge: 'abc' } });
    expect(source('slack').handshake?.(delivery({ type: 'event_callback' }))).toBeUndefined();
    expect(source('github').handshake?.(delivery({}, { 'x-github-event': 'ping' }))).toEqual({
      statusCode: 200,
      body: { ok: true },
    });
    expect(
      source('github').handshake?.(delivery({}, { 'x-github-event': 'issues' })),
    ).toBeUndefined();
  });

  it('refuses a signed body of the wrong shape with a 400 naming the field', () => {
    const refused = (() => {
      try {
        source('hubspot').toEvents(
          delivery([{ eventId: 1, subscriptionType: 'contact.creation' }]),
        );
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).statusCode).toBe(400);
    expect((refused as ValidationError).message).toContain('0.objectId');
    expect(() =>
      source('zendesk').toEvents(
        delivery({ id: 'x', type: 'ticket', time: 'yesterday', detail: { id: '1' } }),
      ),
    ).toThrow(/"yesterday" is not a date/);
    expect(() => source('github').toEvents(delivery({}, {}))).toThrow(/X-GitHub-Event/);
  });
});
