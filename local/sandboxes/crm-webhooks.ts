import { createHmac } from 'node:crypto';
import type { WebhookOutbox } from './webhooks.ts';

export type CrmSubscriptionType =
  `${'contact' | 'company'}.${'creation' | 'deletion' | 'propertyChange'}`;

/** A change to one CRM object, as a HubSpot webhook subscription sees it. */
export interface CrmChange {
  subscriptionType: CrmSubscriptionType;
  /** The object's id (numeric, as a string like every HubSpot id in the API). */
  objectId: string;
  /** For `*.propertyChange`: the property and its new value (null when cleared). */
  property?: { name: string; value: string | null };
  /** Epoch milliseconds. */
  occurredAt: number;
}

/** The sandbox's HubSpot account and app, fixed so a receiver can be configured once. */
export const HUBSPOT_PORTAL_ID = 62_515;
export const HUBSPOT_APP_ID = 1_160_452;
/** HubSpot gives each subscription of the app an id; one per subscription type here. */
const SUBSCRIPTION_IDS: Record<CrmSubscriptionType, number> = {
  'contact.creation': 2_101,
  'contact.deletion': 2_102,
  'contact.propertyChange': 2_103,
  'company.creation': 2_201,
  'company.deletion': 2_202,
  'company.propertyChange': 2_203,
};
/** HubSpot sends at most 100 events per request. */
const MAX_EVENTS_PER_REQUEST = 100;

/**
 * The characters HubSpot's request-validation guide (v3) says are decoded in the request URI
 * before signing: a target URL carrying one of them percent-encoded is signed with the character
 * itself. Written from HubSpot's guide as a list of characters, apart from the gateway's verifier,
 * so that local mode checks the verifier against HubSpot's recipe instead of against itself.
 */
const DECODED_BEFORE_SIGNING = ":/?@!$'()*,;";

/**
 * The target URL as HubSpot signs it: each escape (in the upper-case spelling the guide uses)
 * of a character in {@link DECODED_BEFORE_SIGNING} replaced by that character; every other
 * escape, such as `%20` or `%26`, stays as sent.
 */
function uriAsHubSpotSigns(url: string): string {
  return url.replace(/%[0-9A-F]{2}/g, (encoded) => {
    const character = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
    return DECODED_BEFORE_SIGNING.includes(character) ? character : encoded;
  });
}

/**
 * Signs as HubSpot webhooks v3: base64 HMAC-SHA256, keyed with the app's client secret, of
 * `POST` + the target URL (as {@link uriAsHubSpotSigns}) + body + timestamp (Unix milliseconds).
 *
 * @example
 * hubspotV3Signature('client-secret', 'https://x.example/hook?from=a%40b.example', '[]', '1700000000000');
 */
export function hubspotV3Signature(secret: string, url: string, body: string, timestamp: string) {
  return createHmac('sha256', secret)
    .update(`POST${uriAsHubSpotSigns(url)}${body}${timestamp}`)
    .digest('base64');
}

/**
 * Turns the CRM's changes into HubSpot webhook v3 deliveries: a JSON array of events, each with a
 * unique numeric `eventId` kept across retries and the `attemptNumber` of the attempt.
 *
 * @example
 * const announce = hubspotWebhooks(outbox);
 * announce([{ subscriptionType: 'contact.propertyChange', objectId: '51000000000', property: { name: 'email', value: 'a@b.example' }, occurredAt: Date.now() }]);
 */
export function hubspotWebhooks(outbox: Pick<WebhookOutbox, 'announce'>) {
  // Starts from the clock, so event ids stay unique across restarts of the sandbox (receivers de-duplicate on them).
  let nextEventId = Date.now() * 1000;
  return (changes: readonly CrmChange[]): void => {
    for (let start = 0; start < changes.length; start += MAX_EVENTS_PER_REQUEST) {
      const events = changes.slice(start, start + MAX_EVENTS_PER_REQUEST).map((change) => ({
        eventId: nextEventId++,
        change,
      }));
      outbox.announce({
        eventIds: events.map((event) => event.eventId),
        eventTypes: events.map((event) => event.change.subscriptionType),
        sign(target, attempt) {
          const body = JSON.stringify(
            events.map(({ eventId, change }) => ({
              eventId,
              subscriptionId: SUBSCRIPTION_IDS[change.subscriptionType],
              portalId: HUBSPOT_PORTAL_ID,
              appId: HUBSPOT_APP_ID,
              occurredAt: change.occurredAt,
              subscriptionType: change.subscriptionType,
              attemptNumber: attempt,
              objectId: Number(change.objectId),
              ...(change.property
                ? { propertyName: change.property.name, propertyValue: change.property.value ?? '' }
                : {}),
              changeSource: 'API',
            })),
          );
          const timestamp = String(Date.now());
          return {
            body,
            headers: {
              'Content-Type': 'application/json',
              'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) (sandbox)',
              'X-HubSpot-Request-Timestamp': timestamp,
              'X-HubSpot-Signature-v3': hubspotV3Signature(
                target.secret,
                target.url,
                body,
                timestamp,
              ),
            },
          };
        },
      });
    }
  };
}
