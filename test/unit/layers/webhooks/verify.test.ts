import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sign as signGitHub, verify as verifyGitHub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { AppError, ConfigurationError } from '#layers/errors/index.ts';
import { WebhookSignatureError } from '#layers/webhooks/errors.ts';
import { hubSpotSignedUri } from '#layers/webhooks/schemes/hubspot.ts';
import { verifyWebhook, type WebhookRequest, type WebhookScheme } from '#layers/webhooks/verify.ts';

// Secrets shaped as Standard Webhooks wants them (whsec_ + base64); the other schemes use them as text.
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const CURRENT = newSecret();
const PREVIOUS = newSecret();
const WRONG = newSecret();

const NOW = new Date('2026-03-02T12:00:00.000Z');
const secondsAgo = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const unixSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

const BODY = Buffer.from(
  JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2C', event_id: 'Ev0PV52K21', amount: 1999, name: 'Zoë' }),
);
const TAMPERED = Buffer.from(BODY.toString().replace('1999', '1'));
const BODY_DIGEST = createHash('sha256').update(BODY).digest('hex');
const HUBSPOT_URL =
  'https://hooks.example.com/webhooks/hubspot?portal=62515&from=ana%40example.com%2Cbob%20x';

/** The documented recipes, computed here so the module's own code is checked, not echoed. */
const hmac = (algorithm: string, key: string | Buffer, content: string | Buffer) =>
  createHmac(algorithm, key).update(content);
const utf8 = (...parts: (string | Buffer)[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));

/** A scheme, and how its sender signs a delivery (with the vendor's own library where one exists). */
interface Fixture {
  name: string;
  scheme: WebhookScheme;
  /** Header names as the vendor documents them; the first holds the signature. */
  required: string[];
  timestamped: boolean;
  sign: (secret: string, body: Buffer, at: Date) => Promise<Record<string, string>>;
}

const fixtures: Fixture[] = [
  {
    name: 'stripe',
    scheme: { type: 'stripe' },
    required: ['Stripe-Signature'],
    timestamped: true,
    sign: async (secret, body, at) => ({
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({
        payload: body.toString(),
        secret,
        timestamp: unixSeconds(at),
      }),
    }),
  },
  {
    name: 'github',
    scheme: { type: 'github' },
    required: ['X-Hub-Signature-256'],
    timestamped: false,
    sign: async (secret, body) => ({
      'x-hub-signature-256': await signGitHub(secret, body.toString()),
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    }),
  },
  {
    name: 'shopify',
    scheme: { type: 'shopify' },
    required: ['X-Shopify-Hmac-Sha256'],
    timestamped: false,
    sign: async (secret, body) => ({
      'x-shopify-hmac-sha256': hmac('sha256', secret, body).digest('base64'),
      'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
    }),
  },
  {
    name: 'slack',
    scheme: { type: 'slack' },
    required: ['X-Slack-Signature', 'X-Slack-Request-Timestamp'],
    timestamped: true,
    sign: async (secret, body, at) => {
      const timestamp = String(unixSeconds(at));
      return {
        'x-slack-signature': `v0=${hmac('sha256', secret, utf8('v0:', timestamp, ':', body)).digest('hex')}`,
        'x-slack-request-timestamp': timestamp,
      };
    },
  },
  {
    name: 'hubspot-v3',
    scheme: { type: 'hubspot-v3' },
    required: ['X-HubSpot-Signature-v3', 'X-HubSpot-Request-Timestamp'],
    timestamped: true,
    sign: async (secret, body, at) => {
      const timestamp = String(at.getTime());
      // HubSpot decodes %40 and %2C (in its table) but not %20 before signing.
      const uri =
        'https://hooks.example.com/webhooks/hubspot?portal=62515&from=ana@example.com,bob%20x';
      return {
        'x-hubspot-signature-v3': hmac('sha256', secret, utf8('POST', uri, body, timestamp)).digest(
          'base64',
        ),
        'x-hubspot-request-timestamp': timestamp,
      };
    },
  },
  {
    name: 'standard-webhooks',
    scheme: { type: 'standard-webhooks' },
    required: ['webhook-signature', 'webhook-id', 'webhook-timestamp'],
    timestamped: true,
    sign: async (secret, body, at) => ({
      'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      'webhook-timestamp': String(unixSeconds(at)),
      'webhook-signature': new Webhook(secret).sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', at, body),
    }),
  },
  {
    name: 'zendesk',
    scheme: { type: 'zendesk' },
    required: ['X-Zendesk-Webhook-Signature', 'X-Zendesk-Webhook-Signature-Timestamp'],
    timestamped: true,
    sign: async (secret, body, at) => {
      const timestamp = at.toISOString().replace('.000Z', 'Z');
      return {
        'x-zendesk-webhook-signature': hmac('sha256', secret, utf8(timestamp, body)).digest(
          'base64',
        ),
        'x-zendesk-webhook-signature-timestamp': timestamp,
        'x-zendesk-webhook-invocation-id': '8350205582',
      };
    },
  },
  {
    name: 'hmac',
    scheme: {
      type: 'hmac',
      header: 'X-Acme-Signature',
      algorithm: 'sha512',
      encoding: 'hex',
      prefix: 'sha512=',
      signedContent: 'id.timestamp.body',
      timestampHeader: 'X-Acme-Timestamp',
      deliveryIdHeader: 'X-Acme-Delivery',
    },
    required: ['X-Acme-Signature', 'X-Acme-Timestamp', 'X-Acme-Delivery'],
    timestamped: true,
    sign: async (secret, body, at) => {
      const timestamp = String(unixSeconds(at));
      return {
        'x-acme-signature': `sha512=${hmac('sha512', secret, utf8('dlv_1.', timestamp, '.', body)).digest('hex')}`,
        'x-acme-timestamp': timestamp,
        'x-acme-delivery': 'dlv_1',
      };
    },
  },
];

const requestWith = (
  headers: Record<string, string | undefined>,
  rawBody: Buffer = BODY,
): WebhookRequest => ({ method: 'POST', url: HUBSPOT_URL, headers, rawBody });

/** The error `act` throws, which must be a WebhookSignatureError. */
const refusal = (act: () => unknown): WebhookSignatureError => {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSignatureError);
    return error as WebhookSignatureError;
  }
  throw new Error('expected a refusal');
};

/** Secrets, and every signature-looking piece of the given header values. */
const sensitive = (...headerSets: Record<string, string>[]) => [
  CURRENT,
  PREVIOUS,
  WRONG,
  ...headerSets.flatMap((headers) =>
    Object.values(headers).flatMap((value) => [
      value,
      ...value.split(/[ ,=]/).filter((piece) => piece.length >= 20),
    ]),
  ),
];

const expectNoLeak = (error: Error, pieces: string[]) => {
  for (const piece of pieces) expect(error.message).not.toContain(piece);
};

describe('verifyWebhook', () => {
  describe.each(fixtures)('with the $name scheme', ({ scheme, required, timestamped, sign }) => {
    it('accepts a delivery signed with the current secret', async () => {
      // Arrange
      const headers = await sign(CURRENT, BODY, secondsAgo(60));

      // Act
      const verified = verifyWebhook(scheme, requestWith(headers), [CURRENT, PREVIOUS], NOW);

      // Assert
      expect(verified.timestamp).toEqual(timestamped ? secondsAgo(60) : undefined);
      expect(verified.bodyDigest).toBe(BODY_DIGEST);
    });

    it('accepts a delivery signed with the previous secret when both are configured', async () => {
      const headers = await sign(PREVIOUS, BODY, secondsAgo(60));

      expect(() =>
        verifyWebhook(scheme, requestWith(headers), [CURRENT, PREVIOUS], NOW),
      ).not.toThrow();
    });

    it('refuses a delivery whose body was changed after signing', async () => {
      // Arrange
      const headers = await sign(CURRENT, BODY, secondsAgo(60));
      const computed = await sign(CURRENT, TAMPERED, secondsAgo(60));

      // Act
      const error = refusal(() =>
        verifyWebhook(scheme, requestWith(headers, TAMPERED), [CURRENT], NOW),
      );

      // Assert
      expect(error.reason).toBe('signature_mismatch');
      expect(error.message).toContain(
        'signature does not match the body: check the signing secret and that the body is passed unmodified',
      );
      expect(error.message).toContain(required[0]);
      expectNoLeak(error, sensitive(headers, computed));
    });

    it('refuses a delivery signed with a secret that is not configured', async () => {
      // Arrange
      const headers = await sign(WRONG, BODY, secondsAgo(60));
      const computed = await sign(CURRENT, BODY, secondsAgo(60));

      // Act
      const error = refusal(() =>
        verifyWebhook(scheme, requestWith(headers), [CURRENT, PREVIOUS], NOW),
      );

      // Assert
      expect(error.reason).toBe('signature_mismatch');
      expectNoLeak(error, sensitive(headers, computed));
    });

    it.each(required)(
      'refuses a delivery naming the %s header when it is missing',
      async (name) => {
        // Arrange
        const headers: Record<string, string | undefined> = await sign(
          CURRENT,
          BODY,
          secondsAgo(60),
        );
        headers[name.toLowerCase()] = undefined;

        // Act
        const error = refusal(() => verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW));

        // Assert
        expect(error.reason).toBe('missing_header');
        expect(error.message).toContain(`Missing the ${name} header`);
        expectNoLeak(error, [CURRENT, PREVIOUS]);
      },
    );

    it('answers 401 invalid_signature, exposed to the caller', async () => {
      const headers = await sign(WRONG, BODY, secondsAgo(60));

      const error = refusal(() => verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW));

      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        statusCode: 401,
        code: 'invalid_signature',
        category: 'authentication',
        expose: true,
        name: 'WebhookSignatureError',
      });
    });

    it('refuses a delivery that has no secret to check against', async () => {
      const headers = await sign(CURRENT, BODY, secondsAgo(60));

      expect(() => verifyWebhook(scheme, requestWith(headers), [], NOW)).toThrow(
        ConfigurationError,
      );
    });

    if (timestamped) {
      it('refuses a delivery signed longer ago than the tolerance, saying how old it is', async () => {
        // Arrange
        const headers = await sign(CURRENT, BODY, secondsAgo(301));

        // Act
        const error = refusal(() => verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW));

        // Assert
        expect(error.reason).toBe('stale_timestamp');
        expect(error.message).toContain('301 s old, beyond the 300 s tolerance');
        expectNoLeak(error, sensitive(headers));
      });

      it('refuses a delivery dated further in the future than the tolerance', async () => {
        // Arrange
        const headers = await sign(CURRENT, BODY, secondsAgo(-301));

        // Act
        const error = refusal(() => verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW));

        // Assert
        expect(error.reason).toBe('future_timestamp');
        expect(error.message).toContain('301 s in the future, beyond the 300 s tolerance');
        expectNoLeak(error, sensitive(headers));
      });

      it.each([299, -299])(
        'accepts a delivery when its time is %i s from now, within the tolerance',
        async (age) => {
          const headers = await sign(CURRENT, BODY, secondsAgo(age));

          const verified = verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW);

          expect(verified.timestamp).toEqual(secondsAgo(age));
        },
      );
    }
  });

  describe('with the stripe scheme', () => {
    const scheme: WebhookScheme = { type: 'stripe' };
    const header = (secret: string, at = secondsAgo(10)) =>
      Stripe.webhooks.generateTestHeaderString({
        payload: BODY.toString(),
        secret,
        timestamp: unixSeconds(at),
      });

    it('accepts a header with two v1 signatures when one of them is valid', () => {
      // Arrange: Stripe sends one v1 per active secret while a secret is rolled.
      const valid = header(CURRENT);
      const other = header(WRONG).split(',')[1];
      const combined = `${valid.split(',')[0]},${other},${valid.split(',')[1]},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39`;

      // Act
      const verified = verifyWebhook(
        scheme,
        requestWith({ 'stripe-signature': combined }),
        [CURRENT],
        NOW,
      );

      // Assert
      expect(verified.signedId).toBe('evt_1NG8Du2eZvKYlo2C');
    });

    it('refuses a header without a timestamp, saying what shape was expected', () => {
      const value = header(CURRENT).split(',')[1]!;

      const error = refusal(() =>
        verifyWebhook(scheme, requestWith({ 'stripe-signature': value }), [CURRENT], NOW),
      );

      expect(error.reason).toBe('malformed_header');
      expect(error.message).toContain('The Stripe-Signature header is malformed: expected t=');
      expectNoLeak(error, sensitive({ value }));
    });

    it('accepts an older delivery when the configured tolerance allows it', () => {
      const headers = { 'stripe-signature': header(CURRENT, secondsAgo(500)) };

      const verified = verifyWebhook(
        { type: 'stripe', toleranceSeconds: 600 },
        requestWith(headers),
        [CURRENT],
        NOW,
      );

      expect(verified.timestamp).toEqual(secondsAgo(500));
    });

    it('returns no delivery id when the body is not JSON', () => {
      const body = Buffer.from('not json');
      const value = Stripe.webhooks.generateTestHeaderString({
        payload: body.toString(),
        secret: CURRENT,
        timestamp: unixSeconds(NOW),
      });

      const verified = verifyWebhook(
        scheme,
        requestWith({ 'stripe-signature': value }, body),
        [CURRENT],
        NOW,
      );

      expect(verified.signedId).toBeUndefined();
    });

    it('signs t.body the way Stripe’s own verifier checks it', () => {
      // Arrange: the recipe the generic hmac scheme and this test rely on.
      const t = String(unixSeconds(NOW));
      const signature = hmac('sha256', CURRENT, utf8(t, '.', BODY)).digest('hex');

      // Act
      const event = Stripe.webhooks.constructEvent(
        BODY,
        `t=${t},v1=${signature}`,
        CURRENT,
        300,
        undefined,
        NOW.getTime(),
      );

      // Assert
      expect(event.id).toBe('evt_1NG8Du2eZvKYlo2C');
    });
  });

  describe('with the github scheme', () => {
    const scheme: WebhookScheme = { type: 'github' };

    it('accepts GitHub’s documented example, with no signed id since X-GitHub-Delivery is unsigned', () => {
      // Arrange: docs.github.com, "Validating webhook deliveries".
      const request = requestWith(
        {
          'x-hub-signature-256':
            'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
          'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        },
        Buffer.from('Hello, World!'),
      );

      // Act
      const verified = verifyWebhook(scheme, request, ["It's a Secret to Everybody"], NOW);

      // Assert
      expect(verified).toEqual({
        signedId: undefined,
        bodyDigest: createHash('sha256').update('Hello, World!').digest('hex'),
      });
    });

    it('refuses a delivery carrying only the SHA-1 X-Hub-Signature, naming the SHA-256 header', () => {
      const sha1 = `sha1=${hmac('sha1', CURRENT, BODY).digest('hex')}`;

      const error = refusal(() =>
        verifyWebhook(scheme, requestWith({ 'x-hub-signature': sha1 }), [CURRENT], NOW),
      );

      expect(error.message).toContain('Missing the X-Hub-Signature-256 header');
    });

    it('refuses a signature without its sha256= prefix as malformed', async () => {
      const bare = (await signGitHub(CURRENT, BODY.toString())).slice('sha256='.length);

      const error = refusal(() =>
        verifyWebhook(scheme, requestWith({ 'x-hub-signature-256': bare }), [CURRENT], NOW),
      );

      expect(error.reason).toBe('malformed_header');
      expect(error.message).toContain('expected sha256=<64 hex characters>');
      expectNoLeak(error, [bare]);
    });
  });

  describe('with the shopify scheme', () => {
    const scheme: WebhookScheme = { type: 'shopify' };
    const signature = () => hmac('sha256', CURRENT, BODY).digest('base64');

    it('returns no signed id, since Shopify signs neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id', () => {
      const request = requestWith({
        'x-shopify-hmac-sha256': signature(),
        'x-shopify-event-id': 'event-1',
        'x-shopify-webhook-id': 'webhook-1',
      });

      expect(verifyWebhook(scheme, request, [CURRENT], NOW)).toEqual({
        signedId: undefined,
        bodyDigest: BODY_DIGEST,
      });
    });

    it('refuses a hex digest, saying a base64 one was expected', () => {
      const hex = hmac('sha256', CURRENT, BODY).digest('hex');

      const error = refusal(() =>
        verifyWebhook(scheme, requestWith({ 'x-shopify-hmac-sha256': hex }), [CURRENT], NOW),
      );

      expect(error.reason).toBe('malformed_header');
      expect(error.message).toContain('expected a base64 HMAC-SHA256 of 44 characters');
      expectNoLeak(error, [hex]);
    });
  });

  describe('with the slack scheme', () => {
    const scheme: WebhookScheme = { type: 'slack' };

    it('accepts Slack’s documented example (a slash command, so no event id)', () => {
      // Arrange: docs.slack.dev, "Verifying requests from Slack".
      const body = Buffer.from(
        'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
      );
      const headers = {
        'x-slack-request-timestamp': '1531420618',
        'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      };

      // Act
      const verified = verifyWebhook(
        scheme,
        requestWith(headers, body),
        ['8f742231b10e8888abcd99yyyzzz85a5'],
        new Date(1531420618_000 + 60_000),
      );

      // Assert
      expect(verified).toMatchObject({ signedId: undefined, timestamp: new Date(1531420618_000) });
    });

    it('returns the Events API event_id as the delivery id', async () => {
      const headers = await fixtures
        .find((fixture) => fixture.name === 'slack')!
        .sign(CURRENT, BODY, NOW);

      expect(verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW).signedId).toBe(
        'Ev0PV52K21',
      );
    });

    it('refuses a timestamp that is not Unix seconds as malformed', () => {
      const error = refusal(() =>
        verifyWebhook(
          scheme,
          requestWith({
            'x-slack-signature': `v0=${'0'.repeat(64)}`,
            'x-slack-request-timestamp': NOW.toISOString(),
          }),
          [CURRENT],
          NOW,
        ),
      );

      expect(error.message).toBe(
        'The X-Slack-Request-Timestamp header is malformed: expected a Unix time in seconds.',
      );
    });
  });

  describe('with the hubspot-v3 scheme', () => {
    const scheme: WebhookScheme = { type: 'hubspot-v3' };
    const signed = (url: string, timestamp = String(NOW.getTime())) => {
      const signature = hmac('sha256', CURRENT, utf8('POST', url, BODY, timestamp)).digest(
        'base64',
      );
      return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp };
    };

    it('decodes exactly the escapes HubSpot lists before signing the URI', () => {
      const uri = hubSpotSignedUri(
        'https://x.example/h?a=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B&b=%20%26%3D%2B%25',
      );

      expect(uri).toBe("https://x.example/h?a=:/?@!$'()*,;&b=%20%26%3D%2B%25");
    });

    it('returns no signed id, since HubSpot’s event ids are in the body', () => {
      const headers = signed(
        'https://hooks.example.com/webhooks/hubspot?portal=62515&from=ana@example.com,bob%20x',
      );

      expect(verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW)).toEqual({
        signedId: undefined,
        bodyDigest: BODY_DIGEST,
        timestamp: NOW,
      });
    });

    it('refuses a delivery verified against another URL, pointing at the URL', () => {
      const headers = signed('https://hooks.example.com/webhooks/hubspot');

      const error = refusal(() => verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW));

      expect(error.reason).toBe('signature_mismatch');
      expect(error.message).toContain('full URL');
    });

    it('reads the timestamp as milliseconds, so one in seconds is decades old', () => {
      const headers = signed(hubSpotSignedUri(HUBSPOT_URL), String(unixSeconds(NOW)));

      const error = refusal(() => verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW));

      expect(error.reason).toBe('stale_timestamp');
    });
  });

  describe('with the standard-webhooks scheme', () => {
    const scheme: WebhookScheme = { type: 'standard-webhooks' };
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

    it('accepts svix- headers and returns the message id', () => {
      const headers = {
        'svix-id': id,
        'svix-timestamp': String(unixSeconds(NOW)),
        'svix-signature': new Webhook(CURRENT).sign(id, NOW, BODY),
      };

      expect(verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW)).toEqual({
        signedId: id,
        bodyDigest: BODY_DIGEST,
        timestamp: NOW,
      });
    });

    it('accepts a signature list when one of its entries is valid', () => {
      const list = [
        new Webhook(WRONG).sign(id, NOW, BODY),
        'v1a,aGVsbG8=',
        new Webhook(PREVIOUS).sign(id, NOW, BODY),
      ].join(' ');
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(unixSeconds(NOW)),
        'webhook-signature': list,
      };

      expect(verifyWebhook(scheme, requestWith(headers), [CURRENT, PREVIOUS], NOW).signedId).toBe(
        id,
      );
    });

    it('signs id.timestamp.body with the decoded secret the way the reference library checks it', () => {
      // Arrange: the library checks against the real clock.
      const timestamp = String(Math.floor(Date.now() / 1000));
      const key = Buffer.from(CURRENT.slice('whsec_'.length), 'base64');
      const signature = hmac('sha256', key, utf8(id, '.', timestamp, '.', BODY)).digest('base64');
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      };

      // Act & assert
      expect(new Webhook(CURRENT).verify(BODY, headers)).toMatchObject({ amount: 1999 });
      expect(
        verifyWebhook(scheme, requestWith(headers), [CURRENT], new Date(Number(timestamp) * 1000)),
      ).toMatchObject({ signedId: id });
    });

    it('reports a secret that is not whsec_ and base64 as configuration, without the secret', () => {
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(unixSeconds(NOW)),
        'webhook-signature': new Webhook(CURRENT).sign(id, NOW, BODY),
      };
      const broken = 'whsec_not base64!';

      let error: unknown;
      try {
        verifyWebhook(scheme, requestWith(headers), [broken], NOW);
      } catch (caught) {
        error = caught;
      }

      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).message).not.toContain('not base64!');
    });
  });

  describe('with the zendesk scheme', () => {
    const scheme: WebhookScheme = { type: 'zendesk' };

    it('returns no signed id, since Zendesk does not sign X-Zendesk-Webhook-Invocation-Id', async () => {
      const headers = await fixtures
        .find((fixture) => fixture.name === 'zendesk')!
        .sign(CURRENT, BODY, NOW);

      expect(verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW)).toEqual({
        signedId: undefined,
        bodyDigest: BODY_DIGEST,
        timestamp: NOW,
      });
    });

    it('refuses a timestamp that is not ISO 8601 as malformed', () => {
      const timestamp = String(unixSeconds(NOW));
      const headers = {
        'x-zendesk-webhook-signature': hmac('sha256', CURRENT, utf8(timestamp, BODY)).digest(
          'base64',
        ),
        'x-zendesk-webhook-signature-timestamp': timestamp,
      };

      const error = refusal(() => verifyWebhook(scheme, requestWith(headers), [CURRENT], NOW));

      expect(error.reason).toBe('malformed_header');
      expect(error.message).toContain('X-Zendesk-Webhook-Signature-Timestamp');
    });
  });

  describe('with the hmac scheme', () => {
    it('accepts a body-only hex signature that GitHub’s own verifier also accepts', async () => {
      // Arrange
      const signature = `sha256=${hmac('sha256', CURRENT, BODY).digest('hex')}`;
      const scheme: WebhookScheme = {
        type: 'hmac',
        header: 'X-Signature',
        algorithm: 'sha256',
        encoding: 'hex',
        prefix: 'sha256=',
      };

      // Act
      const verified = verifyWebhook(
        scheme,
        requestWith({ 'x-signature': signature }),
        [CURRENT],
        NOW,
      );

      // Assert
      expect(await verifyGitHub(CURRENT, BODY.toString(), signature)).toBe(true);
      expect(verified).toEqual({ signedId: undefined, bodyDigest: BODY_DIGEST });
    });

    it('accepts a base64 SHA-1 signature without prefix or timestamp', () => {
      const scheme: WebhookScheme = {
        type: 'hmac',
        header: 'X-Signature',
        algorithm: 'sha1',
        encoding: 'base64',
      };
      const signature = hmac('sha1', CURRENT, BODY).digest('base64');

      expect(() =>
        verifyWebhook(scheme, requestWith({ 'x-signature': signature }), [CURRENT], NOW),
      ).not.toThrow();
    });

    it('says which shape it expected when the prefix is missing', () => {
      const scheme: WebhookScheme = {
        type: 'hmac',
        header: 'X-Signature',
        algorithm: 'sha512',
        encoding: 'hex',
        prefix: 'sha512=',
      };
      const bare = hmac('sha512', CURRENT, BODY).digest('hex');

      const error = refusal(() =>
        verifyWebhook(scheme, requestWith({ 'x-signature': bare }), [CURRENT], NOW),
      );

      expect(error.message).toBe(
        'The X-Signature header is malformed: expected sha512=<128 hex characters>.',
      );
    });

    it('reports a timestamp.body scheme without a timestampHeader as configuration', () => {
      const scheme: WebhookScheme = {
        type: 'hmac',
        header: 'X-Signature',
        algorithm: 'sha256',
        encoding: 'hex',
        signedContent: 'timestamp.body',
      };

      expect(() =>
        verifyWebhook(scheme, requestWith({ 'x-signature': '0'.repeat(64) }), [CURRENT], NOW),
      ).toThrow(ConfigurationError);
    });

    describe('signing the delivery id (id.timestamp.body)', () => {
      const scheme: WebhookScheme = {
        type: 'hmac',
        header: 'X-Signature',
        algorithm: 'sha256',
        encoding: 'hex',
        prefix: 'sha256=',
        signedContent: 'id.timestamp.body',
        timestampHeader: 'X-Timestamp',
        deliveryIdHeader: 'X-Delivery',
      };
      const signedBy = (delivery: string) => {
        const timestamp = String(unixSeconds(NOW));
        return {
          'x-signature': `sha256=${hmac('sha256', CURRENT, `${delivery}.${timestamp}.${BODY}`).digest('hex')}`,
          'x-timestamp': timestamp,
          'x-delivery': delivery,
        };
      };

      it('returns the delivery id as signed', () => {
        const verified = verifyWebhook(scheme, requestWith(signedBy('d-1')), [CURRENT], NOW);

        expect(verified).toEqual({ signedId: 'd-1', bodyDigest: BODY_DIGEST, timestamp: NOW });
      });

      it('refuses the delivery replayed under a fresh delivery id', () => {
        const replay = { ...signedBy('d-1'), 'x-delivery': 'd-2' };

        const error = refusal(() => verifyWebhook(scheme, requestWith(replay), [CURRENT], NOW));

        expect(error.reason).toBe('signature_mismatch');
      });

      it('refuses a delivery id with a dot, so the signed content splits one way only', () => {
        const error = refusal(() =>
          verifyWebhook(scheme, requestWith(signedBy('d.1')), [CURRENT], NOW),
        );

        expect(error.reason).toBe('malformed_header');
        expect(error.message).toContain('X-Delivery');
      });

      it('reports a delivery id header that is not signed as configuration', () => {
        const unsigned: WebhookScheme = { ...scheme, signedContent: 'timestamp.body' };

        expect(() => verifyWebhook(unsigned, requestWith(signedBy('d-1')), [CURRENT], NOW)).toThrow(
          /without signing it/,
        );
      });
    });
  });
});
