import * as z from 'zod';
import { ValidationError } from '../errors/index.ts';
import type { CanonicalEvent } from './events.ts';
import type { VerifiedDelivery, WebhookScheme } from './types.ts';

/** What a source sees of a verified delivery. */
export interface ParsedDelivery {
  body: unknown;
  headers: Record<string, string | undefined>;
  verified: VerifiedDelivery;
  receivedAt: Date;
}

export interface WebhookSource {
  /** The path segment: `POST /webhooks/<id>`. */
  id: string;
  displayName: string;
  scheme: WebhookScheme;
  /** A vendor handshake answered at once and not queued (Slack `url_verification`, GitHub `ping`). */
  handshake?(delivery: ParsedDelivery): { statusCode: number; body: unknown } | undefined;
  /**
   * The delivery's events, each keyed `<source>:<id>` on something the signature covers (an id in
   * the signed body, the scheme's signed id, or else the body's digest), never on an unsigned
   * header: a replay keeps the key, so it is a duplicate. Throws ValidationError.
   */
  toEvents(delivery: ParsedDelivery): CanonicalEvent[];
}

/** Environment variable naming a source's Secrets Manager secret (`{"current","previous"?}`). */
export const webhookSecretEnvName = (sourceId: string): string =>
  `WEBHOOK_${sourceId.toUpperCase()}_SECRET_ID`;

/** Parses a body with a schema; a signed body of the wrong shape is the sender's bug: 400. */
function shaped<T extends z.ZodType>(source: string, schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || '(body)';
  throw new ValidationError(
    `The ${source} webhook body does not have the expected shape: ${field}: ${issue?.message}.`,
  );
}

/** A sender's time as ISO 8601; an unreadable one is the sender's bug. */
function iso(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ValidationError(`The webhook's time "${value}" is not a date.`);
  return date.toISOString();
}
const text = z.union([z.string(), z.number()]).transform(String);

/** The key of a delivery whose sender signs no id: its body, which no replay can change. */
const bodyKey = (verified: VerifiedDelivery): string => `sha256:${verified.bodyDigest}`;

/** HubSpot webhooks v3: a JSON array of events, each with its own eventId. */
const hubspot: WebhookSource = {
  id: 'hubspot',
  displayName: 'HubSpot (CRM)',
  scheme: { type: 'hubspot-v3' },
  toEvents({ body }) {
    const events = shaped(
      'hubspot',
      z
        .array(
          z.looseObject({
            eventId: text,
            subscriptionType: z.string().min(1),
            objectId: text,
            occurredAt: z.number(),
          }),
        )
        .min(1),
      body,
    );
    return events.map((event) => ({
      id: `hubspot:${event.eventId}`,
      source: 'hubspot',
      type: event.subscriptionType,
      entity: {
        system: 'crm',
        type: event.subscriptionType.split('.')[0] ?? 'object',
        id: event.objectId,
      },
      occurredAt: iso(event.occurredAt),
      payload: event,
    }));
  },
};

/**
 * Zendesk event webhooks (`zen:event-type:ticket.*`), one event per delivery, keyed on the event's
 * `id`; a body without one (a trigger's own payload) on its digest, since Zendesk does not sign
 * `X-Zendesk-Webhook-Invocation-Id`.
 */
const zendesk: WebhookSource = {
  id: 'zendesk',
  displayName: 'Zendesk (ticketing)',
  scheme: { type: 'zendesk' },
  toEvents({ body, verified }) {
    const event = shaped(
      'zendesk',
      z.looseObject({
        id: z.string().min(1).optional(),
        type: z.string().min(1),
        time: z.string().min(1),
        detail: z.looseObject({ id: text }),
      }),
      body,
    );
    const id = event.id ?? bodyKey(verified);
    const type = event.type.replace(/^zen:event-type:/, '');
    return [
      {
        id: `zendesk:${id}`,
        source: 'zendesk',
        type,
        entity: { system: 'ticketing', type: type.split('.')[0] ?? 'ticket', id: event.detail.id },
        occurredAt: iso(event.time),
        payload: event,
      },
    ];
  },
};

/** Stripe events: `{ id, type, created, data: { object: { id, object } } }`. */
const stripe: WebhookSource = {
  id: 'stripe',
  displayName: 'Stripe',
  scheme: { type: 'stripe' },
  toEvents({ body }) {
    const event = shaped(
      'stripe',
      z.looseObject({
        id: z.string().min(1),
        type: z.string().min(1),
        created: z.number(),
        data: z.looseObject({
          object: z.looseObject({ id: z.string().optional(), object: z.string() }),
        }),
      }),
      body,
    );
    const object = event.data.object;
    return [
      {
        id: `stripe:${event.id}`,
        source: 'stripe',
        type: event.type,
        entity: { system: 'stripe', type: object.object, id: object.id ?? event.id },
        occurredAt: iso(event.created * 1000),
        payload: event,
      },
    ];
  },
};

/**
 * GitHub: the event in `X-GitHub-Event`; `ping` is a handshake. Keyed on the body's digest:
 * GitHub signs the body only, not `X-GitHub-Delivery`.
 */
const github: WebhookSource = {
  id: 'github',
  displayName: 'GitHub',
  scheme: { type: 'github' },
  handshake: ({ headers }) =>
    headers['x-github-event'] === 'ping' ? { statusCode: 200, body: { ok: true } } : undefined,
  toEvents({ body, headers, verified, receivedAt }) {
    const kind = headers['x-github-event'];
    if (!kind) throw new ValidationError('A GitHub delivery needs the X-GitHub-Event header.');
    const event = shaped(
      'github',
      z.looseObject({
        action: z.string().optional(),
        repository: z.looseObject({ full_name: z.string() }).optional(),
        issue: z.looseObject({ number: z.number() }).optional(),
        pull_request: z.looseObject({ number: z.number() }).optional(),
      }),
      body,
    );
    const repository = event.repository?.full_name ?? 'unknown';
    const numbered = event.issue ?? event.pull_request;
    return [
      {
        id: `github:${bodyKey(verified)}`,
        source: 'github',
        type: event.action ? `${kind}.${event.action}` : kind,
        entity: numbered
          ? { system: 'github', type: kind, id: `${repository}#${numbered.number}` }
          : { system: 'github', type: 'repository', id: repository },
        occurredAt: receivedAt.toISOString(),
        payload: event,
      },
    ];
  },
};

/**
 * Shopify: the topic in `X-Shopify-Topic` (e.g. `products/update`), the resource in the body.
 * Keyed on the body's digest: Shopify signs the body only, not `X-Shopify-Event-Id`.
 */
const shopify: WebhookSource = {
  id: 'shopify',
  displayName: 'Shopify',
  scheme: { type: 'shopify' },
  toEvents({ body, headers, verified, receivedAt }) {
    const topic = headers['x-shopify-topic'];
    if (!topic) throw new ValidationError('A Shopify delivery needs the X-Shopify-Topic header.');
    const resource = shaped('shopify', z.looseObject({ id: text }), body);
    const triggeredAt = headers['x-shopify-triggered-at'];
    return [
      {
        id: `shopify:${bodyKey(verified)}`,
        source: 'shopify',
        type: topic,
        entity: {
          system: 'shopify',
          type: (topic.split('/')[0] ?? 'resource').replace(/s$/, ''),
          id: resource.id,
        },
        occurredAt: triggeredAt ? iso(triggeredAt) : receivedAt.toISOString(),
        payload: resource,
      },
    ];
  },
};

/** Slack Events API: `url_verification` is answered with its challenge; `event_callback` is queued. */
const slack: WebhookSource = {
  id: 'slack',
  displayName: 'Slack',
  scheme: { type: 'slack' },
  handshake: ({ body }) => {
    const message = body as { type?: unknown; challenge?: unknown };
    return message?.type === 'url_verification' && typeof message.challenge === 'string'
      ? { statusCode: 200, body: { challenge: message.challenge } }
      : undefined;
  },
  toEvents({ body }) {
    const callback = shaped(
      'slack',
      z.looseObject({
        event_id: z.string().min(1),
        event_time: z.number(),
        event: z.looseObject({
          type: z.string(),
          channel: z.string().optional(),
          user: z.string().optional(),
        }),
      }),
      body,
    );
    return [
      {
        id: `slack:${callback.event_id}`,
        source: 'slack',
        type: callback.event.type,
        entity: {
          system: 'slack',
          type: callback.event.channel ? 'channel' : 'user',
          id: callback.event.channel ?? callback.event.user ?? callback.event_id,
        },
        occurredAt: iso(callback.event_time * 1000),
        payload: callback,
      },
    ];
  },
};

/** Any Standard Webhooks sender (Svix and the many that use it): `{ type, timestamp, data }`. */
const svix: WebhookSource = {
  id: 'svix',
  displayName: 'Standard Webhooks / Svix',
  scheme: { type: 'standard-webhooks' },
  toEvents({ body, verified }) {
    const message = shaped(
      'svix',
      z.looseObject({
        type: z.string().min(1),
        timestamp: z.string().min(1),
        data: z.looseObject({ id: text.optional() }),
      }),
      body,
    );
    const id = verified.signedId ?? bodyKey(verified);
    return [
      {
        id: `svix:${id}`,
        source: 'svix',
        type: message.type,
        entity: {
          system: 'svix',
          type: message.type.split('.')[0] ?? 'object',
          id: message.data.id ?? id,
        },
        occurredAt: iso(message.timestamp),
        payload: message,
      },
    ];
  },
};

/**
 * The ERP, with the generic HMAC scheme: `X-Toolgate-Signature: sha256=<hex>` over
 * `${X-Toolgate-Delivery}.${X-Toolgate-Timestamp}.${body}`, so the delivery id it is keyed on is
 * signed; body `{ type, entity: { type, id }, occurredAt }`.
 */
const erp: WebhookSource = {
  id: 'erp',
  displayName: 'ERP',
  scheme: {
    type: 'hmac',
    header: 'X-Toolgate-Signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
    signedContent: 'id.timestamp.body',
    timestampHeader: 'X-Toolgate-Timestamp',
    deliveryIdHeader: 'X-Toolgate-Delivery',
  },
  toEvents({ body, verified }) {
    const event = shaped(
      'erp',
      z.looseObject({
        type: z.string().min(1),
        entity: z.object({ type: z.string().min(1), id: text }),
        occurredAt: z.string().min(1),
      }),
      body,
    );
    return [
      {
        id: `erp:${verified.signedId ?? bodyKey(verified)}`,
        source: 'erp',
        type: event.type,
        entity: { system: 'erp', ...event.entity },
        occurredAt: iso(event.occurredAt),
        payload: event,
      },
    ];
  },
};

/** Every webhook source, as data: add one here (and its secret) to accept a new sender. */
export const webhookSources: readonly WebhookSource[] = [
  hubspot,
  zendesk,
  stripe,
  github,
  shopify,
  slack,
  svix,
  erp,
];

export const getWebhookSource = (id: string): WebhookSource | undefined =>
  webhookSources.find((source) => source.id === id);
