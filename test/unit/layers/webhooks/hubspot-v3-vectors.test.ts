import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookSignatureError } from '#layers/webhooks/errors.ts';
import { verifyWebhook } from '#layers/webhooks/verify.ts';
import { hubspotV3Signature } from '#local/sandboxes/crm-webhooks.ts';

/**
 * Known answers for HubSpot's v3 webhook signature, checked against both sides of local mode: the
 * gateway's verifier (layers/webhooks) and the CRM sandbox's signer (local/sandboxes), which are
 * written apart so that each is an oracle for the other. HubSpot's official Node client
 * (@hubspot/api-client) is not a dependency of this project, and it does not decode the URI, so
 * the published vectors below come from the test suites of HubSpot's official clients instead.
 */
interface Vector {
  source: string;
  secret: string;
  method: string;
  url: string;
  body: string;
  timestamp: string;
  signature: string;
}

const PUBLISHED: readonly Vector[] = [
  {
    // HubSpot/hubspot-api-python, tests/spec/utils/test_signature.py, test_get_signature__v3.
    source: 'hubspot-api-python',
    secret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
    method: 'POST',
    url: 'https://www.example.com/webhook_uri',
    body: "{'example_field':'example_value'}",
    timestamp: '1693657560000',
    signature: 'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=',
  },
  {
    // HubSpot/hubspot-api-ruby, spec/helpers/signature_spec.rb (v3_hash), and earlier versions of
    // the Python client's test: the same inputs at timestamp 15000000.
    source: 'hubspot-api-ruby',
    secret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
    method: 'POST',
    url: 'https://www.example.com/webhook_uri',
    body: "{'example_field':'example_value'}",
    timestamp: '15000000',
    signature: 'HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw=',
  },
];

/**
 * No published vector has an escaped URI, so this one is computed here from HubSpot's
 * request-validation guide: the URL carries every escape of the guide's table (`%3A` `%2F` `%3F`
 * `%40` `%21` `%24` `%27` `%28` `%29` `%2A` `%2C` `%3B`), then escapes the table does not list;
 * `SIGNED_URI` is that URL decoded by hand, and the signature is the guide's recipe,
 * base64(HMAC-SHA256(secret, method + uri + body + timestamp)), over it.
 */
const guideSignature = (secret: string, method: string, uri: string, body: string, at: string) =>
  createHmac('sha256', secret).update(`${method}${uri}${body}${at}`, 'utf8').digest('base64');
const ESCAPED_URL =
  'https://hooks.example.com/webhooks/hubspot?list=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B&keep=%20%26%3D%2B%25';
const SIGNED_URI =
  "https://hooks.example.com/webhooks/hubspot?list=:/?@!$'()*,;&keep=%20%26%3D%2B%25";
const SECRET = 'sandbox-client-secret';
const BODY = '[{"eventId":1,"subscriptionType":"contact.propertyChange","propertyValue":"Zoë"}]';
const TIMESTAMP = '1790000001000';
const ESCAPED: Vector = {
  source: 'the guide, computed here',
  secret: SECRET,
  method: 'POST',
  url: ESCAPED_URL,
  body: BODY,
  timestamp: TIMESTAMP,
  signature: guideSignature(SECRET, 'POST', SIGNED_URI, BODY, TIMESTAMP),
};

const verify = (vector: Vector, overrides: Partial<Vector> = {}) => {
  const { secret, method, url, body, timestamp, signature } = { ...vector, ...overrides };
  return verifyWebhook(
    { type: 'hubspot-v3' },
    {
      method,
      url,
      headers: {
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': timestamp,
      },
      rawBody: Buffer.from(body),
    },
    [secret],
    new Date(Number(vector.timestamp)),
  );
};

describe('HubSpot v3 signature', () => {
  describe.each([...PUBLISHED, ESCAPED])('with the vector from $source', (vector) => {
    it('verifies the expected signature in the gateway', () => {
      // Act
      const verified = verify(vector);

      // Assert
      expect(verified.timestamp).toEqual(new Date(Number(vector.timestamp)));
    });

    it('signs to the expected signature in the CRM sandbox', () => {
      // Act
      const signature = hubspotV3Signature(
        vector.secret,
        vector.url,
        vector.body,
        vector.timestamp,
      );

      // Assert
      expect(signature).toBe(vector.signature);
    });

    it('refuses the expected signature in the gateway when the timestamp is one millisecond off', () => {
      // Act
      const refuse = () => verify(vector, { timestamp: String(Number(vector.timestamp) + 1) });

      // Assert
      expect(refuse).toThrow(WebhookSignatureError);
      expect(refuse).toThrow(/does not match/);
    });
  });

  it('refuses in the gateway a signature made over the URL as sent, escapes undecoded', () => {
    // Arrange
    const overUrlAsSent = guideSignature(SECRET, 'POST', ESCAPED_URL, BODY, TIMESTAMP);

    // Act
    const refuse = () => verify(ESCAPED, { signature: overUrlAsSent });

    // Assert
    expect(refuse).toThrow(/does not match/);
  });
});
