import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '#layers/webhooks/verify.ts';
import { startCrmSandbox } from '#local/sandboxes/crm.ts';
import { getSeed } from '#local/sandboxes/seed.ts';
import type { RunningSandbox } from '#local/sandboxes/server.ts';
import {
  call,
  credentials,
  loggedAttempts,
  type ReceivedWebhook,
  startReceiver,
} from './support.ts';

const headers = { authorization: `Bearer ${credentials.crm.token}` };
const secret = 'hubspot-client-secret';
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const eventsOf = (delivery: ReceivedWebhook) => JSON.parse(delivery.rawBody.toString('utf8'));
const verify = (delivery: ReceivedWebhook, url: string, secrets = [secret]) =>
  verifyWebhook(
    { type: 'hubspot-v3' },
    { method: delivery.method, url, headers: delivery.headers, rawBody: delivery.rawBody },
    secrets,
  );

describe('CRM sandbox webhooks', () => {
  let crm: RunningSandbox;
  let receiver: Receiver | undefined;
  const seed = getSeed();
  const contact = seed.contacts[3]!;
  const update = (properties: Record<string, string>) =>
    call(`${crm.url}/crm/v3/objects/contacts/${contact.crmId}`, {
      method: 'PATCH',
      headers,
      body: { properties },
    });
  const listen = async (answer?: Parameters<typeof startReceiver>[0], path?: string) => {
    receiver = await startReceiver(answer, path);
    crm.setWebhooks({ url: receiver.url, secret });
    return receiver;
  };

  beforeAll(async () => {
    crm = await startCrmSandbox({ credentials: credentials.crm });
  });
  afterEach(async () => {
    crm.setWebhooks(undefined);
    await receiver?.close();
    receiver = undefined;
  });
  afterAll(() => crm.close());

  it('sends a signed contact.propertyChange per changed property when a contact is updated', async () => {
    // Arrange
    const { url, waitFor } = await listen(undefined, '/webhooks/hubspot?portal=62515');

    // Act
    const res = await update({ jobtitle: 'Head of Webhooks', firstname: contact.firstName });
    const [delivery] = await waitFor(1);

    // Assert
    expect(res.status).toBe(200);
    expect(delivery!.method).toBe('POST');
    expect(delivery!.url).toBe(url);
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['x-hubspot-request-timestamp']).toMatch(/^\d{13}$/);
    expect(verify(delivery!, url)).toMatchObject({ signedId: undefined });
    const events = eventsOf(delivery!);
    expect(events).toEqual([
      {
        eventId: expect.any(Number),
        subscriptionId: expect.any(Number),
        portalId: 62_515,
        appId: expect.any(Number),
        occurredAt: expect.any(Number),
        subscriptionType: 'contact.propertyChange',
        attemptNumber: 0,
        objectId: Number(contact.crmId),
        propertyName: 'jobtitle',
        propertyValue: 'Head of Webhooks',
        changeSource: 'API',
      },
    ]);
    expect(Math.abs(events[0].occurredAt - Date.now())).toBeLessThan(5000);
  });

  it('sends notes_last_updated of the contact when a note is created and when it is deleted', async () => {
    // Arrange
    const { waitFor } = await listen();

    // Act
    const note = await call(`${crm.url}/crm/v3/objects/notes`, {
      method: 'POST',
      headers,
      body: {
        properties: {
          hs_note_body: 'Called about the invoice',
          hs_timestamp: '2026-11-20T10:00:00Z',
        },
        associations: [{ to: { id: contact.crmId }, types: [{ associationTypeId: 202 }] }],
      },
    });
    await waitFor(1);
    await call(`${crm.url}/crm/v3/objects/notes/${note.body.id}`, { method: 'DELETE', headers });
    const deliveries = await waitFor(2);

    // Assert
    const [created, deleted] = deliveries.map((delivery) => eventsOf(delivery)[0]);
    for (const event of [created, deleted]) {
      expect(event).toMatchObject({
        subscriptionType: 'contact.propertyChange',
        objectId: Number(contact.crmId),
        propertyName: 'notes_last_updated',
        propertyValue: String(event.occurredAt),
      });
    }
    expect(created.eventId).not.toBe(deleted.eventId);
  });

  it('signs the URL as HubSpot does when the target has escaped characters', async () => {
    // Arrange
    const { url, waitFor } = await listen(undefined, '/hooks?owner=ops%40acme.example%2Cdev');

    // Act
    await update({ phone: '+1 555 0100' });
    const [delivery] = await waitFor(1);

    // Assert
    expect(() => verify(delivery!, url)).not.toThrow();
  });

  it('does not verify when the receiver checks with another secret', async () => {
    // Arrange
    const { url, waitFor } = await listen();

    // Act
    await update({ jobtitle: 'Signed, not sealed' });
    const [delivery] = await waitFor(1);

    // Assert
    expect(() => verify(delivery!, url, ['another-secret'])).toThrow(/does not match/);
  });

  it('retries with the same event id, the next attemptNumber and a fresh signature when the receiver answers 500', async () => {
    // Arrange
    const { url, waitFor } = await listen(() => 500);

    // Act
    await update({ jobtitle: 'Retried' });
    const deliveries = await waitFor(3);

    // Assert
    const events = deliveries.map((delivery) => eventsOf(delivery)[0]);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(1);
    expect(events.map((event) => event.attemptNumber)).toEqual([0, 1, 2]);
    for (const delivery of deliveries) expect(() => verify(delivery, url)).not.toThrow();
    const signatures = deliveries.map((delivery) => delivery.headers['x-hubspot-signature-v3']);
    expect(new Set(signatures).size).toBe(3);
    const logged = await loggedAttempts(crm.url, events[0].eventId, 3);
    expect(logged).toEqual(
      [0, 1, 2].map((attempt) => ({
        at: expect.any(String),
        url,
        attempt,
        status: 500,
        eventIds: [events[0].eventId],
        eventTypes: ['contact.propertyChange'],
      })),
    );
  });

  it('sends nothing when no target is set', async () => {
    // Arrange
    const logBefore = (await call(`${crm.url}/_sandbox/webhooks`)).body.deliveries;
    await update({ jobtitle: 'Unannounced' });
    const { waitFor } = await listen();

    // Act
    await update({ jobtitle: 'Announced' });
    await waitFor(1);

    // Assert
    expect(receiver?.received.map((delivery) => eventsOf(delivery)[0].propertyValue)).toEqual([
      'Announced',
    ]);
    const [announced] = receiver!.received.map((delivery) => eventsOf(delivery)[0].eventId);
    await loggedAttempts(crm.url, announced, 1);
    const log = (await call(`${crm.url}/_sandbox/webhooks`)).body.deliveries;
    expect(log).toHaveLength(logBefore.length + 1);
    expect(log.at(-1).eventIds).toEqual([announced]);
  });

  it('sends nothing when an update changes no value', async () => {
    // Arrange
    const { waitFor } = await listen();
    await update({ jobtitle: 'Steady' });
    await waitFor(1);

    // Act
    await update({ jobtitle: 'Steady' });
    await update({ jobtitle: 'Moved' });
    const deliveries = await waitFor(2);

    // Assert
    expect(deliveries.map((delivery) => eventsOf(delivery)[0].propertyValue)).toEqual([
      'Steady',
      'Moved',
    ]);
  });

  it('answers the API call without waiting for a receiver that has not answered yet', async () => {
    // Arrange
    let release = () => {};
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { waitFor } = await listen(async () => {
      await answered;
      return 204;
    });

    // Act
    const res = await update({ jobtitle: 'Fast answer' });
    await waitFor(1);
    release();

    // Assert
    expect(res.status).toBe(200);
  });

  it('lists the attempts at /_sandbox/webhooks without the secret or signature', async () => {
    // Arrange
    const { url, waitFor } = await listen();
    await update({ jobtitle: 'Logged' });
    const [delivery] = await waitFor(1);
    await loggedAttempts(crm.url, eventsOf(delivery!)[0].eventId, 1);

    // Act
    const log = await call(`${crm.url}/_sandbox/webhooks`);

    // Assert
    expect(log.status).toBe(200);
    expect(log.body.target).toBe(url);
    expect(log.body.deliveries.at(-1)).toEqual({
      at: expect.any(String),
      url,
      attempt: 0,
      status: 200,
      eventIds: [eventsOf(delivery!)[0].eventId],
      eventTypes: ['contact.propertyChange'],
    });
    const text = JSON.stringify(log.body);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(delivery!.headers['x-hubspot-signature-v3']);
  });

  it('throws when the target is not an http URL or has no secret', () => {
    // Act + Assert
    expect(() => crm.setWebhooks({ url: 'ftp://127.0.0.1/hook', secret })).toThrow();
    expect(() => crm.setWebhooks({ url: 'http://127.0.0.1/hook', secret: '' })).toThrow();
  });
});

describe('CRM sandbox close', () => {
  const timers = () =>
    process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

  it('stops retrying and leaves no timer when closed during a retry', async () => {
    // Arrange
    const timersBefore = timers();
    const crm = await startCrmSandbox({ credentials: credentials.crm });
    const receiver = await startReceiver(() => 500);
    crm.setWebhooks({ url: receiver.url, secret });
    await call(`${crm.url}/crm/v3/objects/contacts/${getSeed().contacts[0]!.crmId}`, {
      method: 'PATCH',
      headers,
      body: { properties: { jobtitle: 'Closing' } },
    });
    const [delivery] = await receiver.waitFor(1);
    // Its first attempt is logged once the 500 came back: the retry's backoff timer is running.
    await loggedAttempts(crm.url, eventsOf(delivery!)[0].eventId, 1);

    // Act
    const started = Date.now();
    await crm.close();
    const closedInMs = Date.now() - started;

    // Assert: no retry came, and none is pending (its backoff timer would be)
    expect(closedInMs).toBeLessThan(1000);
    expect(receiver.received).toHaveLength(1);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
    await receiver.close();
  });
});
