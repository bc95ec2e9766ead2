import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '#layers/webhooks/verify.ts';
import { getSeed } from '#local/sandboxes/seed.ts';
import type { RunningSandbox } from '#local/sandboxes/server.ts';
import { startTicketingSandbox } from '#local/sandboxes/ticketing.ts';
import {
  basic,
  call,
  credentials,
  loggedAttempts,
  type ReceivedWebhook,
  startReceiver,
} from './support.ts';

const headers = {
  authorization: basic(credentials.ticketing.username, credentials.ticketing.password),
};
const secret = 'zendesk-signing-secret';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const eventOf = (delivery: ReceivedWebhook) => JSON.parse(delivery.rawBody.toString('utf8'));
const verify = (delivery: ReceivedWebhook, secrets = [secret]) =>
  verifyWebhook(
    { type: 'zendesk' },
    {
      method: delivery.method,
      url: delivery.url,
      headers: delivery.headers,
      rawBody: delivery.rawBody,
    },
    secrets,
  );

describe('ticketing sandbox webhooks', () => {
  let zendesk: RunningSandbox;
  let receiver: Receiver | undefined;
  const seed = getSeed();
  const company = seed.companies.find((candidate) => candidate.customerNumber === 'C-00021')!;
  const openTicket = seed.tickets.find(
    (ticket) => ticket.organizationId === company.organizationId && ticket.status === 'open',
  )!;
  const createTicket = (extra: Record<string, string> = {}) =>
    call(`${zendesk.url}/api/v2/tickets.json`, {
      method: 'POST',
      headers: { ...headers, ...extra },
      body: {
        ticket: {
          subject: 'Webhook test',
          comment: { body: 'Created to test webhooks' },
          priority: 'high',
          organization_id: company.organizationId,
        },
      },
    });
  const listen = async (answer?: Parameters<typeof startReceiver>[0]) => {
    receiver = await startReceiver(answer, '/webhooks/zendesk');
    zendesk.setWebhooks({ url: receiver.url, secret });
    return receiver;
  };

  beforeAll(async () => {
    zendesk = await startTicketingSandbox({ credentials: credentials.ticketing });
  });
  afterEach(async () => {
    zendesk.setWebhooks(undefined);
    await receiver?.close();
    receiver = undefined;
  });
  afterAll(() => zendesk.close());

  it("sends a signed ticket.created with the ticket's organization when a ticket is created", async () => {
    // Arrange
    const { waitFor } = await listen();

    // Act
    const res = await createTicket();
    const [delivery] = await waitFor(1);

    // Assert
    expect(res.status).toBe(201);
    expect(delivery!.method).toBe('POST');
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['x-zendesk-webhook-signature-timestamp']).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    );
    expect(delivery!.headers['x-zendesk-webhook-id']).toEqual(expect.any(String));
    expect(delivery!.headers['x-zendesk-webhook-invocation-id']).toMatch(/^\d+$/);
    expect(verify(delivery!).signedId).toBeUndefined();
    expect(eventOf(delivery!)).toEqual({
      type: 'zen:event-type:ticket.created',
      account_id: expect.any(Number),
      id: expect.stringMatching(UUID),
      time: expect.any(String),
      zendesk_event_version: '2022-11-06',
      subject: `zen:ticket:${res.body.ticket.id}`,
      detail: expect.objectContaining({
        id: String(res.body.ticket.id),
        organization_id: String(company.organizationId),
        requester_id: null,
        status: 'NEW',
        priority: 'HIGH',
        subject: 'Webhook test',
        description: 'Created to test webhooks',
      }),
      event: {},
    });
  });

  it('sends ticket.status_changed with the current and previous status when the status changes', async () => {
    // Arrange
    const { waitFor } = await listen();

    // Act
    await call(`${zendesk.url}/api/v2/tickets/${openTicket.id}.json`, {
      method: 'PUT',
      headers,
      body: { ticket: { status: 'solved' } },
    });
    const [delivery] = await waitFor(1);

    // Assert
    expect(() => verify(delivery!)).not.toThrow();
    expect(eventOf(delivery!)).toMatchObject({
      type: 'zen:event-type:ticket.status_changed',
      subject: `zen:ticket:${openTicket.id}`,
      detail: {
        id: String(openTicket.id),
        organization_id: String(company.organizationId),
        requester_id: String(openTicket.requesterId),
        status: 'SOLVED',
      },
      event: { current: 'SOLVED', previous: 'OPEN' },
    });
  });

  it('sends ticket.soft_deleted when a ticket is deleted', async () => {
    // Arrange
    const created = await createTicket();
    const { waitFor } = await listen();

    // Act
    await call(`${zendesk.url}/api/v2/tickets/${created.body.ticket.id}.json`, {
      method: 'DELETE',
      headers,
    });
    const [delivery] = await waitFor(1);

    // Assert
    expect(eventOf(delivery!)).toMatchObject({
      type: 'zen:event-type:ticket.soft_deleted',
      detail: { id: String(created.body.ticket.id), status: 'DELETED' },
    });
  });

  it('does not verify when the receiver checks with another secret', async () => {
    // Arrange
    const { waitFor } = await listen();

    // Act
    await createTicket();
    const [delivery] = await waitFor(1);

    // Assert
    expect(() => verify(delivery!, ['another-secret'])).toThrow(/does not match/);
  });

  it('retries with the same event id and invocation id when the receiver answers 500', async () => {
    // Arrange
    const { waitFor } = await listen(() => 500);

    // Act
    await createTicket();
    const deliveries = await waitFor(3);

    // Assert
    const ids = deliveries.map((delivery) => eventOf(delivery).id);
    const invocations = deliveries.map(
      (delivery) => delivery.headers['x-zendesk-webhook-invocation-id'],
    );
    expect(new Set(ids).size).toBe(1);
    expect(new Set(invocations).size).toBe(1);
    for (const delivery of deliveries) expect(() => verify(delivery)).not.toThrow();
    const logged = await loggedAttempts(zendesk.url, ids[0], 3);
    expect(logged.map((entry) => [entry.attempt, entry.status])).toEqual([
      [0, 500],
      [1, 500],
      [2, 500],
    ]);
  });

  it('sends nothing when a create is replayed with the same Idempotency-Key', async () => {
    // Arrange
    const { waitFor } = await listen();
    const first = await createTicket({ 'idempotency-key': 'webhook-replay' });
    await waitFor(1);

    // Act
    const replay = await createTicket({ 'idempotency-key': 'webhook-replay' });
    await createTicket();
    const deliveries = await waitFor(2);

    // Assert
    expect(replay.headers.get('x-idempotency-lookup')).toBe('hit');
    expect(deliveries.map((delivery) => eventOf(delivery).detail.id)).toEqual([
      String(first.body.ticket.id),
      String(first.body.ticket.id + 1),
    ]);
  });

  it('sends nothing when no target is set', async () => {
    // Arrange
    const logBefore = (await call(`${zendesk.url}/_sandbox/webhooks`)).body.deliveries;
    await createTicket();
    const { waitFor } = await listen();

    // Act
    const announced = await createTicket();
    const [delivery] = await waitFor(1);

    // Assert
    expect(receiver?.received.map((received) => eventOf(received).detail.id)).toEqual([
      String(announced.body.ticket.id),
    ]);
    await loggedAttempts(zendesk.url, eventOf(delivery!).id, 1);
    const log = (await call(`${zendesk.url}/_sandbox/webhooks`)).body.deliveries;
    expect(log).toHaveLength(logBefore.length + 1);
  });

  it('lists the attempts at /_sandbox/webhooks without the secret or signature', async () => {
    // Arrange
    const { url, waitFor } = await listen();
    await createTicket();
    const [delivery] = await waitFor(1);
    const { id } = eventOf(delivery!);
    await loggedAttempts(zendesk.url, id, 1);

    // Act
    const log = await call(`${zendesk.url}/_sandbox/webhooks`);

    // Assert
    expect(log.body.target).toBe(url);
    expect(log.body.deliveries.at(-1)).toEqual({
      at: expect.any(String),
      url,
      attempt: 0,
      status: 200,
      eventIds: [id],
      eventTypes: ['zen:event-type:ticket.created'],
    });
    const text = JSON.stringify(log.body);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(delivery!.headers['x-zendesk-webhook-signature']);
  });
});
