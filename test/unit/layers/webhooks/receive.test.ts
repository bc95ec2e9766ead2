import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '#layers/errors/index.ts';
import type { HttpEvent } from '#layers/http-util/api-gateway.ts';
import type { DeliveryRecord } from '#layers/webhooks/delivery-log.ts';
import type { CanonicalEvent } from '#layers/webhooks/events.ts';
import { type ReceiveDeps, receiveWebhook } from '#layers/webhooks/receive.ts';

const secret = 'erp-signing-secret';

/** A signed ERP delivery as API Gateway hands it over (base64 when the content type is binary). */
function erpEvent(options: { base64?: boolean; delivery?: string } = {}): HttpEvent {
  const body = JSON.stringify({
    type: 'product.updated',
    entity: { type: 'product', id: 'SKU-10001' },
    occurredAt: '2026-11-23T10:00:00Z',
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const delivery = options.delivery ?? 'd-1';
  const signature = createHmac('sha256', secret)
    .update(`${delivery}.${timestamp}.${body}`)
    .digest('hex');
  return {
    rawPath: '/webhooks/erp',
    rawQueryString: '',
    pathParameters: { source: 'erp' },
    headers: {
      host: 'api.example.com',
      'x-toolgate-timestamp': timestamp,
      'x-toolgate-delivery': delivery,
      'x-toolgate-signature': `sha256=${signature}`,
    },
    requestContext: { http: { method: 'POST' }, domainName: 'api.example.com' },
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  } as unknown as HttpEvent;
}

function fakes(options: { queueFails?: boolean } = {}) {
  const claimed = new Set<string>();
  const released: string[] = [];
  const queued: CanonicalEvent[] = [];
  const deps: ReceiveDeps = {
    env: { WEBHOOK_ERP_SECRET_ID: 'erp-secret' },
    secrets: { getJson: async () => ({ current: secret }) },
    receipts: {
      claim: async (id) => {
        if (claimed.has(id)) return false;
        claimed.add(id);
        return true;
      },
      release: async (id) => {
        claimed.delete(id);
        released.push(id);
      },
    },
    queue: {
      send: async (events) => {
        if (options.queueFails) throw new Error('SQS down');
        queued.push(...events);
      },
    },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    maxBodyBytes: 10_000,
  };
  return { deps, claimed, released, queued };
}

describe('receiveWebhook', () => {
  it('verifies a base64 body on its decoded bytes and queues its event', async () => {
    const { deps, queued } = fakes();
    const response = await receiveWebhook(deps)(erpEvent({ base64: true }));
    expect(response.statusCode).toBe(202);
    expect(queued.map((event) => event.id)).toEqual(['erp:d-1']);
  });

  it('answers 200 duplicate and queues nothing for a redelivery', async () => {
    const { deps, queued } = fakes();
    await receiveWebhook(deps)(erpEvent());
    const again = await receiveWebhook(deps)(erpEvent());
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body as string).status).toBe('duplicate');
    expect(queued).toHaveLength(1);
  });

  it('forgets the receipt and answers 503 when the queue cannot take the event, so the retry is accepted', async () => {
    const failing = fakes({ queueFails: true });
    const error = await receiveWebhook(failing.deps)(erpEvent()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(503);
    expect(failing.released).toEqual(['erp:d-1']);
    expect(failing.claimed.size).toBe(0);
  });

  it('logs each outcome: accepted, then duplicate, then refused with the reason and nothing of the delivery', async () => {
    // Arrange
    const { deps } = fakes();
    const logged: DeliveryRecord[] = [];
    const counted: boolean[] = [];
    deps.log = {
      record: async (records, isCounted) => {
        logged.push(...records);
        counted.push(...records.map((record) => isCounted(record.source)));
      },
    };
    const forged = erpEvent({ delivery: 'd-9' });
    (forged.headers as Record<string, string>)['x-toolgate-signature'] = `sha256=${'0'.repeat(64)}`;
    const unknown = { ...erpEvent(), pathParameters: { source: 'Nope!' } } as HttpEvent;
    // Act
    await receiveWebhook(deps)(erpEvent());
    await receiveWebhook(deps)(erpEvent());
    await expect(receiveWebhook(deps)(forged)).rejects.toMatchObject({ statusCode: 401 });
    await expect(receiveWebhook(deps)(unknown)).rejects.toMatchObject({ statusCode: 404 });
    // Assert
    expect(logged.map(({ source, outcome, reason }) => ({ source, outcome, reason }))).toEqual([
      { source: 'erp', outcome: 'accepted', reason: undefined },
      { source: 'erp', outcome: 'duplicate', reason: undefined },
      { source: 'erp', outcome: 'refused', reason: 'signature_mismatch' },
      { source: 'unknown', outcome: 'refused', reason: 'webhook_source_not_found' },
    ]);
    expect(logged[0]).toMatchObject({ id: 'erp:d-1', type: 'product.updated' });
    expect(counted).toEqual([true, true, true, false]);
    expect(JSON.stringify(logged)).not.toContain(secret);
    expect(JSON.stringify(logged)).not.toContain('SKU-10001');
  });

  it('answers the sender even when the delivery log cannot be written', async () => {
    const { deps, queued } = fakes();
    deps.log = { record: async () => Promise.reject(new Error('throttled')) };
    const response = await receiveWebhook(deps)(erpEvent());
    expect(response.statusCode).toBe(202);
    expect(queued).toHaveLength(1);
  });

  it('refuses a body over the limit with 413 before verifying it', async () => {
    const { deps, queued } = fakes();
    const event = erpEvent();
    (event as { body: string }).body = 'x'.repeat(10_001);
    await expect(receiveWebhook(deps)(event)).rejects.toMatchObject({ statusCode: 413 });
    expect(queued).toEqual([]);
  });

  it('answers a configuration error, not a 401, for a source this deployment has no secret for', async () => {
    const { deps } = fakes();
    await expect(receiveWebhook({ ...deps, env: {} })(erpEvent())).rejects.toMatchObject({
      code: 'webhook_not_configured',
    });
  });
});
